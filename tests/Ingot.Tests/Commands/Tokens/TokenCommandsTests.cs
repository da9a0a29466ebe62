using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Tokens;

public sealed class TokenCommandsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Create_prints_only_the_token_on_stdout_and_it_works()
    {
        using var admin = CliRunner.For(Server);
        var result = await admin.OkAsync("tokens", "create", "--name", "ci");
        var token = result.Out.Trim();
        Assert.Single(Lines.Of(result.Out));
        Assert.Contains("cannot be shown again", result.Error);

        using var other = new CliRunner();
        other.Environment["INGOT_URL"] = Server.Url.ToString();
        other.Environment["INGOT_TOKEN"] = token;
        Assert.Contains("user:        admin", (await other.OkAsync("whoami")).Out);
    }

    [Fact]
    public async Task A_token_for_another_user_with_an_expiry_is_listed_and_revoked()
    {
        using var cli = CliRunner.For(Server);
        var user = Unique.Name("alice");
        await cli.OkAsync("users", "create", user);
        var created = (await cli.OkAsync("tokens", "create", "--name", "laptop", "--user", user, "--expires-at", "2099-01-31T00:00:00Z", "-o", "json"))
            .Json<TokenCreated>();
        Assert.Equal(user, created.User);
        Assert.Equal(new DateTimeOffset(2099, 1, 31, 0, 0, 0, TimeSpan.Zero), created.ExpiresAt);

        var row = Lines.Row((await cli.OkAsync("tokens", "list")).Out, created.Id.ToString());
        Assert.Equal(["laptop", user], row[1..3]);
        Assert.Contains("2099-01-31", string.Join(' ', row));
        Assert.DoesNotContain(created.Token, (await cli.OkAsync("tokens", "list", "-o", "json")).Out);

        using var asUser = CliRunner.For(Server, created.Token);
        Assert.Contains($"user:        {user}", (await asUser.OkAsync("whoami")).Out);

        Assert.Equal($"Revoked token {created.Id}.", (await cli.OkAsync("tokens", "revoke", created.Id.ToString())).Out.Trim());
        Assert.Contains("(401)", (await asUser.FailsAsync(1, "whoami")).Error);
    }

    [Fact]
    public async Task A_read_only_token_and_an_action_scoped_one_show_their_scope_in_the_list_and_whoami()
    {
        using var cli = CliRunner.For(Server);
        var reader = (await cli.OkAsync("tokens", "create", "--name", "dash", "--read-only", "--expires-at", "2099-01-31T00:00:00Z", "-o", "json")).Json<TokenCreated>();
        var restarter = (await cli.OkAsync("tokens", "create", "--name", "restart", "--action", "power_cycle", "--action", "reboot", "-o", "json")).Json<TokenCreated>();

        var list = (await cli.OkAsync("tokens", "list")).Out;
        Assert.Equal("read", Lines.Row(list, reader.Id.ToString())[3]);
        Assert.Equal("power_cycle,reboot", Lines.Row(list, restarter.Id.ToString())[3]);
        using var asReader = CliRunner.For(Server, reader.Token);
        var me = (await asReader.OkAsync("whoami")).Out;
        Assert.Matches(@"scope:\s+read", me);
        Assert.Matches(@"expires:\s+2099-01-31", me);
        Assert.Contains("is scoped to reads (GET and HEAD)", (await asReader.FailsAsync(1, "sites", "create", Unique.Name("s"))).Error);
        Assert.Matches(@"scope:\s+full", (await cli.OkAsync("whoami")).Out);
    }

    [Fact]
    public async Task Read_only_with_an_action_is_a_usage_error()
    {
        using var cli = CliRunner.For(Server);
        var result = await cli.RunAsync("tokens", "create", "--read-only", "--action", "reboot");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--read-only and --action exclude each other", result.Error);
    }

    [Fact]
    public async Task An_expiry_that_is_not_a_date_is_a_parse_error()
    {
        using var cli = CliRunner.For(Server);
        var result = await cli.RunAsync("tokens", "create", "--expires-at", "next-tuesday");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("next-tuesday", result.Error);
    }
}
