using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.SelfService;

public sealed class AdminBootstrapTests
{
    [Fact]
    public async Task A_new_server_without_an_admin_token_writes_a_private_working_one()
    {
        await using var server = await TestServer.StartAsync(bootstrapAdmin: true);
        var path = Path.Combine(server.DataDirectory, "admin-token");

        Assert.StartsWith("ingot_", server.AdminToken);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var me = await server.Admin.WhoAmIAsync();
        Assert.Equal(("admin", true), (me.Name, me.Admin));
        Assert.Contains(await server.Admin.ListTokensAsync(), t => t.Name == "bootstrap" && t.User == "admin");
    }

    [Fact]
    public async Task A_server_given_an_admin_token_writes_no_token_file()
    {
        await using var server = await TestServer.StartAsync();
        Assert.False(File.Exists(Path.Combine(server.DataDirectory, "admin-token")));
        Assert.True((await server.Admin.WhoAmIAsync()).Admin);
    }
}
