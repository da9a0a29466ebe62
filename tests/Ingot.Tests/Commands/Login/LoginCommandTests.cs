using System.Text.Json;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Login;

// The config file's 0600 mode is a Unix promise; the tests check it with Unix file modes.
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LoginCommandTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Login_writes_a_private_config_that_later_commands_use()
    {
        using var cli = new CliRunner();
        var login = await cli.OkAsync("login", "--url", Server.Url.ToString(), "--token", Server.AdminToken);
        Assert.Contains($"Logged in to {Server.Url} as admin (admin); saved to {cli.ConfigPath}.", login.Out);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cli.ConfigPath));
        using (var saved = JsonDocument.Parse(await File.ReadAllTextAsync(cli.ConfigPath)))
        {
            Assert.Equal(Server.Url.ToString(), saved.RootElement.GetProperty("url").GetString());
            Assert.Equal(Server.AdminToken, saved.RootElement.GetProperty("token").GetString());
        }

        // No flags and no environment: the saved URL and token are used.
        var whoami = await cli.OkAsync("whoami");
        Assert.Contains($"token from:  {cli.ConfigPath}", whoami.Out);
        await cli.OkAsync("sites", "list");
    }

    [Fact]
    public async Task Login_reads_the_token_from_stdin_with_token_dash()
    {
        using var cli = new CliRunner { Stdin = Server.AdminToken + "\n" };
        await cli.OkAsync("login", "--url", Server.Url.ToString(), "--token", "-");
        Assert.Contains(Server.AdminToken + "\"", await File.ReadAllTextAsync(cli.ConfigPath));
    }

    [Fact]
    public async Task Login_reads_the_token_from_a_file_and_takes_the_url_from_INGOT_URL()
    {
        using var cli = new CliRunner();
        cli.Environment["INGOT_URL"] = Server.Url.ToString();
        var result = await cli.OkAsync("login", "--token-file", cli.File("token", Server.AdminToken + "\n"), "-o", "json");
        Assert.Equal("admin", result.Json<Ingot.Client.WhoAmI>().Name);
        cli.Environment.Clear();
        await cli.OkAsync("sites", "list");
    }

    [Fact]
    public async Task Login_over_an_old_world_readable_config_leaves_it_private()
    {
        using var cli = new CliRunner();
        Directory.CreateDirectory(Path.GetDirectoryName(cli.ConfigPath)!);
        await File.WriteAllTextAsync(cli.ConfigPath, """{ "url": "http://old.example/", "token": "old" }""");
        File.SetUnixFileMode(cli.ConfigPath, (UnixFileMode)0b110_100_100);
        await cli.OkAsync("login", "--url", Server.Url.ToString(), "--token", Server.AdminToken);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cli.ConfigPath));
        Assert.DoesNotContain("old.example", await File.ReadAllTextAsync(cli.ConfigPath));
    }

    [Fact]
    public async Task Login_with_a_token_the_server_rejects_saves_nothing()
    {
        using var cli = new CliRunner();
        var result = await cli.FailsAsync(1, "login", "--url", Server.Url.ToString(), "--token", "ingot_not-a-real-token");
        Assert.Contains("Unauthorized (401)", result.Error);
        Assert.False(File.Exists(cli.ConfigPath));
    }

    [Fact]
    public async Task Login_without_a_token_exits_2_naming_the_ways_to_give_one()
    {
        using var cli = new CliRunner();
        var result = await cli.FailsAsync(2, "login", "--url", Server.Url.ToString());
        Assert.Contains("--token TOKEN, --token - (read from stdin) or --token-file PATH", result.Error);
        Assert.False(File.Exists(cli.ConfigPath));
    }

    [Fact]
    public async Task Whoami_prints_the_user_as_json_with_o_json()
    {
        using var cli = CliRunner.For(Server);
        var me = (await cli.OkAsync("whoami", "-o", "json")).Json<Ingot.Client.WhoAmI>();
        Assert.Equal("admin", me.Name);
        Assert.True(me.Admin);
    }
}
