using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Users;

public sealed class UserCommandsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Users_are_created_with_teams_and_listed()
    {
        using var cli = CliRunner.For(Server);
        var team = Unique.Name("team");
        var name = Unique.Name("bob");
        await cli.OkAsync("teams", "create", team);
        var user = (await cli.OkAsync("users", "create", name, "--team", team, "-o", "json")).Json<UserView>();
        Assert.Equal([team], user.Teams);
        Assert.False(user.Admin);

        var row = Lines.Row((await cli.OkAsync("users", "list")).Out, name, column: 1);
        Assert.Equal(["no", "-", team], row[2..5]);
    }

    [Fact]
    public async Task Disabling_a_user_ends_their_tokens_at_once_and_enabling_lets_new_ones_work()
    {
        using var cli = CliRunner.For(Server);
        var name = Unique.Name("leaver");
        await cli.OkAsync("users", "create", name);
        var token = (await cli.OkAsync("tokens", "create", "--user", name, "-o", "json")).Json<TokenCreated>().Token;
        using var theirs = CliRunner.For(Server, token);
        await theirs.OkAsync("whoami");

        var disabled = await cli.OkAsync("users", "disable", name);
        Assert.Contains("by admin", disabled.Out);
        Assert.Contains("not known", (await theirs.FailsAsync(1, "whoami")).Error);
        await cli.OkAsync("users", "enable", name);
        var fresh = (await cli.OkAsync("tokens", "create", "--user", name, "-o", "json")).Json<TokenCreated>().Token;
        using var again = CliRunner.For(Server, fresh);
        await again.OkAsync("whoami");
    }

    [Fact]
    public async Task A_user_with_a_grant_shows_it_in_the_list_and_whoami()
    {
        using var cli = CliRunner.For(Server);
        var name = Unique.Name("viewer");
        await cli.OkAsync("users", "create", name, "--grant", "viewer");
        Assert.Equal("viewer", Lines.Row((await cli.OkAsync("users", "list")).Out, name, column: 1)[3]);
        var token = (await cli.OkAsync("tokens", "create", "--name", "t", "--user", name, "-o", "json")).Json<TokenCreated>().Token;
        var me = await cli.OkAsync("whoami", "--token", token);
        Assert.Matches(@"grant:\s+viewer", me.Out);
    }

    [Fact]
    public async Task A_service_account_of_a_team_shows_it_in_the_list_and_whoami()
    {
        using var cli = CliRunner.For(Server);
        var team = Unique.Name("team");
        await cli.OkAsync("teams", "create", team);
        var name = Unique.Name("bot");
        await cli.OkAsync("users", "create", name, "--service-of", team);
        Assert.Equal(team, Lines.Row((await cli.OkAsync("users", "list")).Out, name, column: 1)[5]);
        var token = (await cli.OkAsync("tokens", "create", "--name", "ci", "--user", name, "-o", "json")).Json<TokenCreated>().Token;
        using var asBot = CliRunner.For(Server, token);
        Assert.Matches($@"service of:\s+{team}", (await asBot.OkAsync("whoami")).Out);
    }

    [Fact]
    public async Task A_users_address_is_set_at_creation_changed_and_removed()
    {
        using var cli = CliRunner.For(Server);
        var name = Unique.Name("eve");
        await cli.OkAsync("users", "create", name, "--email", $"{name}@example.com");
        Assert.Equal($"{name}@example.com", Lines.Row((await cli.OkAsync("users", "list")).Out, name, column: 1)[6]);
        var changed = (await cli.OkAsync("users", "update", name, "--email", $"{name}@corp.example", "-o", "json")).Json<UserView>();
        Assert.Equal($"{name}@corp.example", changed.Email);
        Assert.Null((await cli.OkAsync("users", "update", name, "--email", "", "-o", "json")).Json<UserView>().Email);
        Assert.Contains("--email", (await cli.FailsAsync(2, "users", "update", name)).Error);
        Assert.Contains("plain e-mail address", (await cli.FailsAsync(1, "users", "update", name, "--email", "nope")).Error);
    }

    [Fact]
    public async Task An_admin_user_shows_as_admin()
    {
        using var cli = CliRunner.For(Server);
        var name = Unique.Name("ops");
        await cli.OkAsync("users", "create", name, "--admin");
        Assert.Equal("yes", Lines.Row((await cli.OkAsync("users", "list")).Out, name, column: 1)[2]);
    }

    [Fact]
    public async Task A_non_admin_is_refused_with_the_servers_403()
    {
        using var cli = CliRunner.For(Server);
        var name = Unique.Name("carol");
        await cli.OkAsync("users", "create", name);
        var token = (await cli.OkAsync("tokens", "create", "--name", "laptop", "--user", name, "-o", "json")).Json<TokenCreated>().Token;

        using var carol = CliRunner.For(Server, token);
        var result = await carol.FailsAsync(1, "sites", "create", Unique.Name("site"));
        Assert.StartsWith("error: Forbidden (403):", result.Error);
    }
}
