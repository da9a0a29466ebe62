using Ingot.Server.Hosting;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Serve;

/// <summary>The server's settings as an operator meets them: one flag and one INGOT_* variable for every setting, a bad
/// value refused before anything starts (naming the variable and what it accepts), and --print-config saying what a
/// start would use and where each value came from, with secrets hidden.</summary>
public sealed class ServeConfigTests
{
    [Fact]
    public async Task Bad_values_stop_start_up_naming_each_variable_and_its_range()
    {
        using var cli = new CliRunner();
        cli.Environment["INGOT_JOBS_WORKERS"] = "0";
        cli.Environment["INGOT_JOBS_LEASE_SECONDS"] = "soon";
        cli.Environment["INGOT_SECRET_KEY"] = "c2hvcnQ=";
        cli.Environment["INGOT_ADMIN_TOKEN"] = "admin-admin-admin";
        cli.Environment["INGOT_DISCOVERY_BMC_PASSWORD"] = new string('p', 21);
        var result = await cli.FailsAsync(2, "serve", "--urls", "ftp://nowhere", "--data", Path.GetTempPath());

        Assert.Contains("INGOT_JOBS_WORKERS='0' is not a whole number from 1 to 100000.", result.Error);
        Assert.Contains("INGOT_JOBS_LEASE_SECONDS='soon' is not a number of seconds from 1 to 86400.", result.Error);
        Assert.Contains("INGOT_SECRET_KEY=(hidden) is not base64 of exactly 32 bytes.", result.Error);
        Assert.Contains("INGOT_ADMIN_TOKEN=(hidden) is not a token of at least 32 characters", result.Error);
        Assert.Contains("INGOT_DISCOVERY_BMC_PASSWORD=(hidden) is not at most 20 bytes (IPMI keeps no more).", result.Error);
        Assert.DoesNotContain("c2hvcnQ=", result.Error); // a secret, even a wrong one, is never echoed
        Assert.DoesNotContain("admin-admin-admin", result.Error);
        Assert.Contains("--urls='ftp://nowhere' is not a list of http:// or https:// addresses", result.Error);
        Assert.DoesNotContain("Ingot serving", result.Error);
    }

    [Fact]
    public async Task Print_config_lists_every_setting_with_its_source_and_hides_secrets()
    {
        using var cli = new CliRunner();
        cli.Environment["INGOT_ADMIN_TOKEN"] = "ingot_very-secret-token-of-enough-length";
        cli.Environment["INGOT_DATABASE"] = "Host=db.example;Password=hunter2";
        cli.Environment["INGOT_JOBS_PER_SITE_LIMIT"] = "25";
        var result = await cli.OkAsync("serve", "--print-config", "--jobs-workers", "7", "--jobs-lease-seconds", "12.5");

        var rows = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(l => l.Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToDictionary(r => r[0], r => (Value: r[1], Source: r[2]));
        Assert.Equal(ServerOptions.All.Select(o => o.Name).Order(), rows.Keys.Order());
        Assert.Equal(("7", "flag --jobs-workers"), rows["jobs.workers"]);
        Assert.Equal(("12.5", "flag --jobs-lease-seconds"), rows["jobs.lease_seconds"]);
        Assert.Equal(("25", "INGOT_JOBS_PER_SITE_LIMIT"), rows["jobs.per_site_limit"]);
        Assert.Equal(("(set, hidden)", "INGOT_ADMIN_TOKEN"), rows["admin_token"]);
        Assert.Equal(("(set, hidden)", "INGOT_DATABASE"), rows["database"]);
        Assert.Equal(("3", "default"), rows["jobs.max_attempts"]);
        Assert.DoesNotContain("very-secret", result.Out);
        Assert.DoesNotContain("hunter2", result.Out);
    }

    [Fact]
    public async Task Every_setting_is_a_flag_of_serve_with_its_variable_in_the_help()
    {
        using var cli = new CliRunner();
        var help = await cli.OkAsync("serve", "--help");
        foreach (var option in ServerOptions.All)
        {
            Assert.Contains(option.Flag, help.Out);
            Assert.Contains(option.Variable, help.Out);
        }
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("demo")]
    public async Task An_address_in_use_is_one_line_on_stderr_not_a_stack_trace(string verb)
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var url = $"http://127.0.0.1:{((System.Net.IPEndPoint)taken.LocalEndpoint).Port}";
        using var cli = new CliRunner();
        var data = Directory.CreateTempSubdirectory("ingot-port-").FullName;
        var result = await cli.FailsAsync(1, verb == "serve" ? ["serve", "--data", data, "--urls", url] : ["demo", "--data", data, "--url", url, "--no-bmcs", "--machines", "1"]);

        Assert.Equal($"error: cannot listen on {url}: the address is in use (another ingot serve or demo?); choose another address with --urls.",
            result.Error.Trim());
        // Nothing half-made is left behind: no database, no admin token.
        Assert.Empty(Directory.EnumerateFileSystemEntries(data));
        Directory.Delete(data, recursive: true);
    }

    /// <summary>Every node must share one secret key: a start with another key than the one the database's secrets were
    /// sealed with is refused in one line, before it seals anything the other nodes cannot open.</summary>
    [Fact]
    public async Task A_secret_key_other_than_the_databases_is_refused_at_start()
    {
        var data = Directory.CreateTempSubdirectory("ingot-key-").FullName;
        await using (var first = await ServerHost.BuildAsync(new ServerSettings { DataDirectory = data, Urls = [$"http://127.0.0.1:{Ports.Free()}"] }))
        {
            // migrated, and the key in data/secret.key checked into the database
        }
        using var cli = new CliRunner();
        cli.Environment["INGOT_SECRET_KEY"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var result = await cli.FailsAsync(1, "serve", "--data", data, "--urls", $"http://127.0.0.1:{Ports.Free()}");
        Assert.Equal("error: this server's secret key is not the one the database's secrets were sealed with: every node must run with the same " +
                     "INGOT_SECRET_KEY (the first node's is base64 in its data directory's secret.key).", result.Error.Trim());

        cli.Environment["INGOT_SECRET_KEY"] = (await File.ReadAllTextAsync(Path.Combine(data, "secret.key"))).Trim();
        await using (var same = await ServerHost.BuildAsync(new ServerSettings { DataDirectory = data, SecretKey = cli.Environment["INGOT_SECRET_KEY"] }))
        {
            // the first node's key, given as INGOT_SECRET_KEY, starts
        }
        Directory.Delete(data, recursive: true);
    }

    /// <summary>Issue 11 A.8: SQLite is one node's; a second server on the same file would run every job a second time.</summary>
    [Theory]
    [InlineData("serve")]
    [InlineData("demo")]
    public async Task A_SQLite_database_another_server_holds_is_one_line_on_stderr_not_a_second_node(string verb)
    {
        var data = Directory.CreateTempSubdirectory("ingot-held-").FullName;
        await using (var running = Ingot.Server.Data.Database.Open(null, data))
        {
            running.HoldAlone(); // what the running server holds
            var url = $"http://127.0.0.1:{Ports.Free()}";
            using var cli = new CliRunner();
            var result = await cli.FailsAsync(1, verb == "serve" ? ["serve", "--data", data, "--urls", url] : ["demo", "--data", data, "--url", url, "--no-bmcs", "--machines", "1"]);

            Assert.Equal($"error: the SQLite database {Path.Combine(data, "ingot.db")} is in use by another Ingot server (SQLite is for one node; " +
                         "run several on PostgreSQL); stop the other server, or give this one another --data directory.", result.Error.Trim());
        }
        Directory.Delete(data, recursive: true);
    }
}
