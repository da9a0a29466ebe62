using Ingot.Commands.Batches;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Batches;

/// <summary>What `ingot batch --help` tells a newcomer, the host file's format, and the refused hosts' lines; no server needed.</summary>
public sealed class BatchHelpTests
{
    [Fact]
    public async Task Batch_help_lists_every_verb()
    {
        using var cli = new CliRunner();
        var result = await cli.OkAsync("batch", "--help");
        foreach (var verb in new[] { "submit <host>", "list", "show <id>", "hosts <id>", "watch <id>", "cancel <id>" })
            Assert.Contains(Environment.NewLine + "  " + verb + " ", result.Out);
    }

    [Fact]
    public async Task Submit_help_names_the_actions_and_the_host_file()
    {
        using var cli = new CliRunner();
        var result = await cli.OkAsync("batch", "submit", "--help");
        Assert.Contains("reimage, reboot, power_on, power_off, power_cycle, recycle, decommission", result.Out);
        Assert.Contains("-f, --file <path>", result.Out);
        Assert.Contains("--idempotency-key <key>", result.Out);
        Assert.Contains("--force", result.Out);
        Assert.Contains("-o, --output <json|table>", result.Out);
    }

    [Fact]
    public void A_host_file_skips_blank_lines_and_comments()
    {
        Assert.Equal(["a", "b", "c"], HostList.Parse("# header\na\r\n\n  b  # spare\n   \nc"));
    }

    [Fact]
    public void Refused_hosts_read_as_host_and_reason_or_holding_batch()
    {
        var problem = System.Text.Json.JsonSerializer.Deserialize<Client.Problem>(
            """{"title":"x","status":409,"hosts":[{"host":"n1","batch":12},{"host":"n2","reason":"No machine 'n2' exists."}]}""",
            Client.IngotJson.Options)!;
        Assert.Equal(["n1: held by batch 12", "n2: No machine 'n2' exists."], HostRefusals.Lines(problem));
    }
}
