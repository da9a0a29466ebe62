using System.Net;
using System.Net.Sockets;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands;

/// <summary>Where a client verb finds its server and token: flag, then environment, then the config file.</summary>
public sealed class ConnectionTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Without_any_token_the_verb_exits_2_and_says_how_to_provide_one()
    {
        using var cli = new CliRunner();
        var result = await cli.FailsAsync(2, "sites", "list");
        Assert.Contains("No API token for http://127.0.0.1:7420/", result.Error);
        Assert.Contains("--token", result.Error);
        Assert.Contains("INGOT_TOKEN", result.Error);
        Assert.Contains("ingot login", result.Error);
    }

    [Fact]
    public async Task The_config_file_supplies_url_and_token_when_nothing_else_does()
    {
        using var cli = new CliRunner();
        WriteConfig(cli, Server.Url.ToString(), Server.AdminToken);
        var result = await cli.OkAsync("whoami");
        Assert.Contains($"token from:  {cli.ConfigPath}", result.Out);
        Assert.Contains($"server:      {Server.Url}", result.Out);
    }

    [Fact]
    public async Task Environment_variables_override_the_config_file()
    {
        using var cli = new CliRunner();
        WriteConfig(cli, DeadUrl().ToString(), "ingot_not-a-real-token");
        cli.Environment["INGOT_URL"] = Server.Url.ToString();
        cli.Environment["INGOT_TOKEN"] = Server.AdminToken;
        var result = await cli.OkAsync("whoami");
        Assert.Contains("user:        admin", result.Out);
        Assert.Contains("token from:  INGOT_TOKEN", result.Out);
    }

    [Fact]
    public async Task Flags_override_environment_variables()
    {
        using var cli = new CliRunner();
        cli.Environment["INGOT_URL"] = DeadUrl().ToString();
        cli.Environment["INGOT_TOKEN"] = "ingot_not-a-real-token";
        var result = await cli.OkAsync("whoami", "--url", Server.Url.ToString(), "--token", Server.AdminToken);
        Assert.Contains("token from:  --token", result.Out);
    }

    [Fact]
    public async Task Url_token_and_output_work_before_the_verb_as_after_it()
    {
        using var cli = new CliRunner();
        cli.Environment["INGOT_URL"] = DeadUrl().ToString();
        cli.Environment["INGOT_TOKEN"] = "ingot_not-a-real-token";

        var before = await cli.OkAsync("--url", Server.Url.ToString(), "--token", Server.AdminToken, "-o", "json", "machines", "list", "--limit", "1");
        Assert.StartsWith("{", before.Out.TrimStart());
        var whoami = await cli.OkAsync("--token", Server.AdminToken, "whoami", "--url", Server.Url.ToString());
        Assert.Contains("token from:  --token", whoami.Out);
        // After the verb wins over before it, as a nearer setting should.
        var both = await cli.OkAsync("-o", "json", "--url", DeadUrl().ToString(), "sites", "list", "--url", Server.Url.ToString(), "--token", Server.AdminToken, "-o", "table");
        Assert.DoesNotContain("{", both.Out);
    }

    [Fact]
    public async Task A_leading_client_option_on_a_verb_that_does_not_talk_to_a_server_is_refused_by_name()
    {
        using var cli = new CliRunner();
        var result = await cli.RunAsync("--token", "x", "serve", "--print-config");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--token applies to the verbs that talk to a server; 'ingot serve' does not take it.", result.Error);
    }

    [Fact]
    public async Task A_rejected_token_prints_the_servers_401_and_where_the_token_came_from()
    {
        using var cli = CliRunner.For(Server);
        var result = await cli.FailsAsync(1, "sites", "list", "--token", "ingot_not-a-real-token");
        Assert.Contains("error: Unauthorized (401): The bearer token is not known to this server", result.Error);
        Assert.Contains("The token came from --token", result.Error);
    }

    [Fact]
    public async Task The_saved_token_is_not_sent_to_a_server_other_than_the_one_it_was_saved_for()
    {
        using var cli = new CliRunner();
        WriteConfig(cli, Server.Url.ToString(), Server.AdminToken);
        var elsewhere = DeadUrl();
        cli.Environment["INGOT_URL"] = elsewhere.ToString();
        var result = await cli.FailsAsync(2, "sites", "list");
        Assert.Contains($"No API token for {elsewhere}", result.Error);
        Assert.Contains($"is for {Server.Url}", result.Error);
    }

    [Fact]
    public async Task An_unreachable_server_is_one_line_naming_its_url()
    {
        using var cli = new CliRunner();
        var dead = DeadUrl();
        var result = await cli.FailsAsync(1, "sites", "list", "--url", dead.ToString(), "--token", "ingot_x");
        Assert.Single(Lines.Of(result.Error));
        Assert.Contains($"cannot reach the Ingot server at {dead}", result.Error);
    }

    [Fact]
    public async Task A_url_that_is_not_http_is_a_usage_error_naming_its_source()
    {
        using var cli = new CliRunner();
        cli.Environment["INGOT_URL"] = "127.0.0.1:7420";
        var result = await cli.FailsAsync(2, "sites", "list", "--token", "ingot_x");
        Assert.Contains("'127.0.0.1:7420' (from INGOT_URL) is not an http:// or https:// URL", result.Error);
    }

    [Fact]
    public async Task A_damaged_config_file_is_a_usage_error_naming_the_file()
    {
        using var cli = new CliRunner();
        Directory.CreateDirectory(Path.GetDirectoryName(cli.ConfigPath)!);
        await File.WriteAllTextAsync(cli.ConfigPath, "{ not json");
        var result = await cli.FailsAsync(2, "sites", "list");
        Assert.Contains($"The config file {cli.ConfigPath} is not valid JSON", result.Error);
    }

    [Fact]
    public async Task A_damaged_config_file_does_not_matter_when_flags_give_url_and_token()
    {
        using var cli = new CliRunner();
        Directory.CreateDirectory(Path.GetDirectoryName(cli.ConfigPath)!);
        await File.WriteAllTextAsync(cli.ConfigPath, "{ not json");
        await cli.OkAsync("sites", "list", "--url", Server.Url.ToString(), "--token", Server.AdminToken);
    }

    private static void WriteConfig(CliRunner cli, string url, string token)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(cli.ConfigPath)!);
        File.WriteAllText(cli.ConfigPath, $$"""{ "url": "{{url}}", "token": "{{token}}" }""");
    }

    /// <summary>A loopback URL on which nothing listens.</summary>
    public static Uri DeadUrl()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/");
    }
}
