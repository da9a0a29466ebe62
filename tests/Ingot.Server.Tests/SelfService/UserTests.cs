using System.Net;
using System.Net.Http.Json;
using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.SelfService;

public sealed class UserTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task A_created_user_has_its_teams_in_every_view()
    {
        var a = await Server.Admin.CreateTeamAsync(new TeamCreate(Unique.Name("a")));
        var b = await Server.Admin.CreateTeamAsync(new TeamCreate(Unique.Name("b")));
        var name = Unique.Name("jane.doe");
        var user = await Server.Admin.CreateUserAsync(new UserCreate(name, Teams: [b.Name, a.Name, b.Name]));

        Assert.Equal((name, false), (user.Name, user.Admin));
        Assert.Equal(new[] { a.Name, b.Name }.Order(), user.Teams);
        using var http = Server.Http();
        Assert.Equivalent(user, await http.GetFromJsonAsync<UserView>($"api/v1/users/{name}", IngotJson.Options));
        Assert.Equivalent(user, (await Server.Admin.ListUsersAsync()).Single(u => u.Name == name));
    }

    [Fact]
    public async Task The_bootstrap_admin_is_listed_as_an_admin()
    {
        Assert.True((await Server.Admin.ListUsersAsync()).Single(u => u.Name == "admin").Admin);
    }

    [Fact]
    public async Task Unknown_teams_are_named_by_their_position()
    {
        var team = await Server.Admin.CreateTeamAsync(new TeamCreate(Unique.Name("real")));
        var name = Unique.Name("user");
        var error = await Assert.ThrowsAsync<IngotApiException>(() =>
            Server.Admin.CreateUserAsync(new UserCreate(name, Teams: [team.Name, "ghosts", "", "phantoms"])));
        Assert.Equal(422, error.Status);
        Assert.Equal(new[] { "teams[1]", "teams[2]", "teams[3]" }, error.Problem.Errors!.Keys.Order());
        Assert.Contains("ghosts", error.Problem.Errors["teams[1]"][0]);

        using var http = Server.Http();
        await (await http.GetAsync($"api/v1/users/{name}")).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Bad_name_and_bad_team_are_reported_together()
    {
        var error = await Assert.ThrowsAsync<IngotApiException>(() =>
            Server.Admin.CreateUserAsync(new UserCreate("has space", Teams: ["ghosts"])));
        Assert.Equal(new[] { "name", "teams[0]" }, error.Problem.Errors!.Keys.Order());
    }

    [Fact]
    public async Task Duplicate_user_is_409()
    {
        var name = Unique.Name("dup");
        await Server.Admin.CreateUserAsync(new UserCreate(name));
        var error = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.CreateUserAsync(new UserCreate(name)));
        Assert.Equal(409, error.Status);
    }

    [Fact]
    public async Task Only_an_admin_may_create_users()
    {
        var plain = await Accounts.CreateAsync(Server);
        var name = Unique.Name("sneaky");
        var error = await Assert.ThrowsAsync<IngotApiException>(() => plain.Client.CreateUserAsync(new UserCreate(name, Admin: true)));
        Assert.Equal(403, error.Status);
        Assert.DoesNotContain(await Server.Admin.ListUsersAsync(), u => u.Name == name);
    }

    [Fact]
    public async Task An_admin_user_created_by_the_api_can_act_as_admin()
    {
        var second = await Accounts.CreateAsync(Server, admin: true);
        var team = await second.Client.CreateTeamAsync(new TeamCreate(Unique.Name("by-second-admin")));
        Assert.Contains(team, await Server.Admin.ListTeamsAsync());
    }

    [Fact]
    public async Task Whoami_tells_the_caller_its_name_admin_flag_and_teams()
    {
        Assert.Equal(new WhoAmI("admin", true, []), await Server.Admin.WhoAmIAsync(), WhoAmIComparer);

        var team = await Server.Admin.CreateTeamAsync(new TeamCreate(Unique.Name("dbs")));
        var user = await Accounts.CreateAsync(Server, teams: team.Name);
        Assert.Equal(new WhoAmI(user.Name, false, [team.Name]), await user.Client.WhoAmIAsync(), WhoAmIComparer);
    }

    private static readonly IEqualityComparer<WhoAmI> WhoAmIComparer = EqualityComparer<WhoAmI>.Create(
        (x, y) => x!.Name == y!.Name && x.Admin == y.Admin && x.Teams.SequenceEqual(y.Teams));
}
