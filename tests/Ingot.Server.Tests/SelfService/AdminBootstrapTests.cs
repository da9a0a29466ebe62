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

    [Fact]
    public async Task A_changed_INGOT_ADMIN_TOKEN_revokes_the_previous_one()
    {
        var data = Directory.CreateTempSubdirectory("ingot-rotate-").FullName;
        var database = await TestDatabase.CreateAsync();
        var (first, second) = (Ingot.Server.SelfService.Tokens.Generate(), Ingot.Server.SelfService.Tokens.Generate());
        foreach (var token in new[] { first, second })
        {
            await using var app = await Ingot.Server.Hosting.ServerHost.BuildAsync(new Ingot.Server.Hosting.ServerSettings
            {
                DataDirectory = data, Database = database, Urls = ["http://127.0.0.1:0"], AdminToken = token,
                Jobs = new Ingot.Server.Jobs.JobOptions { RunWorkers = false },
            });
            await app.StartAsync();
            var url = new Uri(app.Urls.First() + "/");
            Assert.True((await new Ingot.Client.IngotClient(url, token).WhoAmIAsync()).Admin);
            if (token == second)
            {
                var old = await Assert.ThrowsAsync<Ingot.Client.IngotApiException>(() => new Ingot.Client.IngotClient(url, first).WhoAmIAsync());
                Assert.Equal(401, old.Status);
            }
            await app.StopAsync();
        }
        Directory.Delete(data, recursive: true);
    }
}
