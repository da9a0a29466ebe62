using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands;

/// <summary>What `--help` tells a newcomer, and that it needs no server or token.</summary>
public sealed class HelpTests
{
    [Fact]
    public async Task Machines_help_lists_every_verb()
    {
        using var cli = new CliRunner();
        var result = await cli.OkAsync("machines", "--help");
        foreach (var verb in new[] { "list", "show <machine>", "create", "import <file>", "transition <machine> <trigger>",
                     "maintenance <machine> <off|on>", "history <machine>", "delete <machine>" })
            Assert.Contains(Environment.NewLine + "  " + verb + " ", result.Out);
        Assert.Equal("", result.Error);
    }

    [Fact]
    public async Task Root_help_lists_the_server_and_every_client_noun()
    {
        using var cli = new CliRunner();
        var result = await cli.OkAsync("--help");
        foreach (var noun in new[] { "serve", "login", "whoami", "machines", "sites", "racks", "skus", "teams", "roles", "tokens", "users", "audit" })
            Assert.Contains(Environment.NewLine + "  " + noun + " ", result.Out);
    }

    [Theory]
    [InlineData("sites", "list")]
    [InlineData("machines", "list")]
    [InlineData("tokens", "create")]
    [InlineData("whoami")]
    public async Task Every_client_verb_takes_url_token_and_output(params string[] verb)
    {
        using var cli = new CliRunner();
        var result = await cli.OkAsync([.. verb, "--help"]);
        Assert.Contains("--url <url>", result.Out);
        Assert.Contains("INGOT_URL", result.Out);
        Assert.Contains("--token <token>", result.Out);
        Assert.Contains("-o, --output <json|table>", result.Out);
    }

    [Fact]
    public async Task Machines_create_help_offers_a_password_file_and_no_password_flag()
    {
        using var cli = new CliRunner();
        var result = await cli.OkAsync("machines", "create", "--help");
        Assert.Contains("--bmc-password-file <path>", result.Out);
        Assert.Contains("--nic <mac[,name[,ip]]>", result.Out);
        Assert.DoesNotContain("--bmc-password ", result.Out);
    }

    [Fact]
    public async Task Import_help_names_the_csv_columns()
    {
        using var cli = new CliRunner();
        var result = await cli.OkAsync("machines", "import", "--help");
        Assert.Contains("serial, vendor, model, site, rack, unit, sku, hostname, role, macs", result.Out);
        Assert.Contains("--dry-run", result.Out);
    }

    [Fact]
    public async Task An_unknown_output_format_is_refused_by_the_parser()
    {
        using var cli = new CliRunner();
        var result = await cli.RunAsync("sites", "list", "-o", "yaml");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("yaml", result.Error);
    }
}
