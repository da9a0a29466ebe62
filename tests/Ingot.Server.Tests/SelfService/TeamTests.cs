using System.Net;
using System.Net.Http.Json;
using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.SelfService;

public sealed class TeamTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Create_get_list_and_delete_round_trip()
    {
        var name = Unique.Name("Storage");
        var team = await Server.Admin.CreateTeamAsync(new TeamCreate(name));
        Assert.Equal(name.ToLowerInvariant(), team.Name);

        using var http = Server.Http();
        Assert.Equal(team, await http.GetFromJsonAsync<TeamView>($"api/v1/teams/{team.Name}", IngotJson.Options));
        Assert.Contains(team, await Server.Admin.ListTeamsAsync());

        await Server.Admin.DeleteTeamAsync(team.Name);
        await (await http.GetAsync($"api/v1/teams/{team.Name}")).ProblemAsync(HttpStatusCode.NotFound);
        Assert.DoesNotContain(team, await Server.Admin.ListTeamsAsync());
    }

    [Fact]
    public async Task Duplicate_team_is_409()
    {
        var name = Unique.Name("dup");
        await Server.Admin.CreateTeamAsync(new TeamCreate(name));
        var error = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.CreateTeamAsync(new TeamCreate(name)));
        Assert.Equal(409, error.Status);
    }

    [Theory]
    [InlineData(null, "is required.")]
    [InlineData("  ", "is required.")]
    [InlineData("has space", "not a valid team name")]
    [InlineData("-dash", "not a valid team name")]
    public async Task Invalid_name_is_422_on_name(string? name, string reason)
    {
        var error = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.CreateTeamAsync(new TeamCreate(name)));
        Assert.Equal(422, error.Status);
        Assert.Contains(reason, Assert.Single(error.Problem.Errors!["name"]));
    }

    [Fact]
    public async Task A_team_owning_roles_cannot_be_deleted_until_they_move()
    {
        var team = await Server.Admin.CreateTeamAsync(new TeamCreate(Unique.Name("owner")));
        var role = await Server.Admin.CreateRoleAsync(new RoleCreate(Unique.Name("svc"), team.Name));

        var error = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.DeleteTeamAsync(team.Name));
        Assert.Equal(409, error.Status);
        Assert.Contains(role.Name, error.Problem.Detail);

        await Server.Admin.DeleteRoleAsync(role.Name);
        await Server.Admin.DeleteTeamAsync(team.Name);
    }

    [Fact]
    public async Task Deleting_a_team_removes_it_from_its_members()
    {
        var team = await Server.Admin.CreateTeamAsync(new TeamCreate(Unique.Name("gone")));
        var user = await Server.Admin.CreateUserAsync(new UserCreate(Unique.Name("member"), Teams: [team.Name]));
        await Server.Admin.DeleteTeamAsync(team.Name);
        Assert.Empty((await Server.Admin.ListUsersAsync()).Single(u => u.Id == user.Id).Teams);
    }
}
