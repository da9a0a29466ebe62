using Ingot.Server.Tests.SelfService;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Login;

/// <summary>`ingot login --ldap USER` against a server signing in with a real slapd (DirectoryFixture): the password
/// from stdin or a file, never a flag; the issued token saved like a given one.</summary>
public sealed class LdapLoginCommandTests(DirectoryFixture fixture) : IClassFixture<DirectoryFixture>
{
    [Fact]
    public async Task Login_with_the_directory_password_saves_an_expiring_token_that_later_commands_use()
    {
        await fixture.UserAsync("ivy", "ivy's pw ", fixture.WebDevs);
        using var cli = new CliRunner { Stdin = "ivy's pw \n" }; // the newline is not part of it, the trailing space is
        var login = await cli.OkAsync("login", "--url", fixture.Server.Url.ToString(), "--ldap", "ivy");
        Assert.Contains($"Logged in to {fixture.Server.Url} as ivy", login.Out);
        var whoami = await cli.OkAsync("whoami", "-o", "json");
        Assert.Contains("\"teams\":[\"web\"]", whoami.Out.Replace(" ", "").Replace("\n", ""));
        Assert.Contains("token_expires_at", whoami.Out);
    }

    [Fact]
    public async Task A_wrong_password_fails_with_the_servers_reason_and_saves_nothing()
    {
        await fixture.UserAsync("jack", "jack-pw", fixture.WebDevs);
        using var cli = new CliRunner { Stdin = "not-it\n" };
        var failed = await cli.FailsAsync(1, "login", "--url", fixture.Server.Url.ToString(), "--ldap", "jack");
        Assert.Contains("The directory does not know that user with that password.", failed.Error);
        Assert.False(File.Exists(cli.ConfigPath));
        var file = cli.File("password", "jack-pw\n");
        await cli.OkAsync("login", "--url", fixture.Server.Url.ToString(), "--ldap", "jack", "--password-file", file);
        var both = await cli.FailsAsync(2, "login", "--url", fixture.Server.Url.ToString(), "--ldap", "jack", "--token", "ingot_x");
        Assert.Contains("not both", both.Error);
    }
}
