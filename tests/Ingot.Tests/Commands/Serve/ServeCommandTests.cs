using Ingot.Client;
using Ingot.Tests.Infrastructure;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Serve;

/// <summary>`ingot serve` as an operator starts it: flags and INGOT_* variables, a first start that
/// creates the admin token file (0600) and says where it is, and the same data seen after a restart.</summary>
// The token file's 0600 mode is a Unix promise; the test checks it with Unix file modes.
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ServeCommandTests
{
    [Fact]
    public async Task First_start_writes_a_private_admin_token_that_works_and_a_restart_keeps_the_data()
    {
        var data = Directory.CreateTempSubdirectory("ingot-serve-test-").FullName;
        var database = await TestDatabase.CreateAsync();
        var url = $"http://127.0.0.1:{Ports.Free()}";
        var env = new Dictionary<string, string?> { ["INGOT_DATABASE"] = database };

        await using (var first = await RunningServe.StartAsync(["serve", "--data", data, "--urls", url], env))
        {
            Assert.Contains(url, first.Printed());
            var tokenFile = Path.Combine(data, "admin-token");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(tokenFile));
            var client = new IngotClient(new Uri(url + "/"), (await File.ReadAllTextAsync(tokenFile)).Trim());
            Assert.Equal("admin", (await client.WhoAmIAsync()).Name);
            await client.CreateSiteAsync(new SiteCreate("kept-site"));
        }

        // Settings from the environment alone; the existing token file and data are kept.
        env["INGOT_DATA"] = data;
        env["INGOT_URLS"] = url;
        await using (var second = await RunningServe.StartAsync(["serve"], env))
        {
            var client = new IngotClient(new Uri(url + "/"), (await File.ReadAllTextAsync(Path.Combine(data, "admin-token"))).Trim());
            Assert.Contains(await client.ListSitesAsync(), s => s.Name == "kept-site");
        }
        Directory.Delete(data, recursive: true);
    }

    [Fact]
    public async Task INGOT_ADMIN_TOKEN_is_used_instead_of_a_generated_token()
    {
        var data = Directory.CreateTempSubdirectory("ingot-serve-test-").FullName;
        var url = $"http://127.0.0.1:{Ports.Free()}";
        var token = Ingot.Server.SelfService.Tokens.Generate();
        var env = new Dictionary<string, string?> { ["INGOT_DATABASE"] = await TestDatabase.CreateAsync(), ["INGOT_ADMIN_TOKEN"] = token };
        await using (var server = await RunningServe.StartAsync(["serve", "--data", data, "--urls", url], env))
        {
            Assert.False(File.Exists(Path.Combine(data, "admin-token")));
            Assert.Equal("admin", (await new IngotClient(new Uri(url + "/"), token).WhoAmIAsync()).Name);
        }
        Directory.Delete(data, recursive: true);
    }

    [Fact]
    public async Task The_data_directory_and_the_SQLite_files_are_private_to_the_user()
    {
        var root = Directory.CreateTempSubdirectory("ingot-serve-test-").FullName;
        var data = Path.Combine(root, "new", "data");
        var url = $"http://127.0.0.1:{Ports.Free()}";
        var env = new Dictionary<string, string?>(); // SQLite in the data directory, whatever engine the run tests
        await using (var server = await RunningServe.StartAsync(["serve", "--data", data, "--urls", url], env))
        {
            var client = new IngotClient(new Uri(url + "/"), (await File.ReadAllTextAsync(Path.Combine(data, "admin-token"))).Trim());
            await client.CreateSiteAsync(new SiteCreate("private-site")); // a write: the WAL exists now
            const UnixFileMode owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            Assert.Equal(owner | UnixFileMode.UserExecute, File.GetUnixFileMode(data));
            foreach (var file in new[] { "ingot.db", "ingot.db-wal", "ingot.db-shm", "secret.key", "admin-token" })
                Assert.True(File.GetUnixFileMode(Path.Combine(data, file)) == owner, $"{file} is {File.GetUnixFileMode(Path.Combine(data, file))}");
        }
        Directory.Delete(root, recursive: true);
    }
}
