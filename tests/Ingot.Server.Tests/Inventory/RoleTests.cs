using System.Net;
using System.Net.Http.Json;
using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.Inventory;

public sealed class RoleTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    private async Task<TeamView> TeamAsync() => await Server.Admin.CreateTeamAsync(new TeamCreate(Unique.Name("team")));

    private async Task<RoleView> GetAsync(string name)
    {
        using var http = Server.Http();
        return (await http.GetFromJsonAsync<RoleView>($"api/v1/roles/{name}", IngotJson.Options))!;
    }

    [Fact]
    public async Task Create_get_list_and_delete_round_trip_with_the_team_by_name()
    {
        var team = await TeamAsync();
        var name = Unique.Name("fancydb");
        var role = await Server.Admin.CreateRoleAsync(new RoleCreate(name, team.Name, "the fancy database"));

        Assert.Equal((name, team.Name, "the fancy database"), (role.Name, role.Team, role.Description));
        Assert.Equal(role, await GetAsync(name));
        Assert.Contains(role, await Server.Admin.ListRolesAsync());

        await Server.Admin.DeleteRoleAsync(name);
        using var http = Server.Http();
        await (await http.GetAsync($"api/v1/roles/{name}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await http.DeleteAsync($"api/v1/roles/{name}")).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Patching_the_team_transfers_ownership_and_keeps_the_description()
    {
        var from = await TeamAsync();
        var to = await TeamAsync();
        var role = await Server.Admin.CreateRoleAsync(new RoleCreate(Unique.Name("svc"), from.Name, "kept"));

        using var http = Server.Http();
        var response = await http.PatchAsJsonAsync($"api/v1/roles/{role.Name}", new { team = to.Name });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(role with { Team = to.Name }, await response.Content.ReadFromJsonAsync<RoleView>(IngotJson.Options));
        Assert.Equal(role with { Team = to.Name }, await GetAsync(role.Name));

        await http.PatchAsJsonAsync($"api/v1/roles/{role.Name}", new { description = "changed" });
        Assert.Equal(role with { Team = to.Name, Description = "changed" }, await GetAsync(role.Name));
    }

    [Fact]
    public async Task Patching_to_an_unknown_team_is_422_and_changes_nothing()
    {
        var role = await Server.Admin.CreateRoleAsync(new RoleCreate(Unique.Name("svc"), (await TeamAsync()).Name));
        using var http = Server.Http();
        var problem = await (await http.PatchAsJsonAsync($"api/v1/roles/{role.Name}", new { team = "no-such-team", name = "renamed" }))
            .ProblemAsync((HttpStatusCode)422);
        Assert.Equal(new[] { "name", "team" }, problem.Errors!.Keys.Order());
        Assert.Equal(role, await GetAsync(role.Name));
    }

    [Fact]
    public async Task Create_with_an_unknown_team_and_a_bad_name_reports_both()
    {
        using var http = Server.Http();
        var problem = await (await http.PostAsJsonAsync("api/v1/roles", new RoleCreate("bad_name!", "no-such-team"), IngotJson.Options))
            .ProblemAsync((HttpStatusCode)422);
        Assert.Equal(new[] { "name", "team" }, problem.Errors!.Keys.Order());
        Assert.Contains("no-such-team", problem.Errors["team"][0]);
    }

    [Fact]
    public async Task Create_without_a_team_says_it_is_required()
    {
        var error = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.CreateRoleAsync(new RoleCreate(Unique.Name("svc"), null)));
        Assert.Equal(422, error.Status);
        Assert.Equal(new[] { "team" }, error.Problem.Errors!.Keys);
    }

    [Fact]
    public async Task Duplicate_role_is_409()
    {
        var team = await TeamAsync();
        var name = Unique.Name("dup");
        await Server.Admin.CreateRoleAsync(new RoleCreate(name, team.Name));
        var error = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.CreateRoleAsync(new RoleCreate(name, team.Name)));
        Assert.Equal(409, error.Status);
    }

    [Fact]
    public async Task A_role_with_machines_cannot_be_deleted()
    {
        var role = await Server.Admin.CreateRoleAsync(new RoleCreate(Unique.Name("busy"), (await TeamAsync()).Name));
        await ReferencingMachine.InsertAsync(Server, roleId: role.Id);
        var error = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.DeleteRoleAsync(role.Name));
        Assert.Equal(409, error.Status);
        Assert.Contains("1 machine", error.Problem.Detail);
        Assert.Equal(role, await GetAsync(role.Name));
    }
}
