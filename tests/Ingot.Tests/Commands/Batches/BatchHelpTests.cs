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
        foreach (var verb in new[] { "submit <host>", "list", "show <id>", "hosts <id>", "watch <id>", "cancel <id>", "stats" })
            Assert.Contains(Environment.NewLine + "  " + verb + " ", result.Out);
    }

    [Fact]
    public async Task Submit_help_names_the_actions_and_the_host_file()
    {
        using var cli = new CliRunner();
        var result = await cli.OkAsync("batch", "submit", "--help");
        Assert.Contains("reimage, reboot, power_on, power_off, power_cycle, wipe_disks, recycle, decommission", result.Out);
        Assert.Contains("-f, --file <path>", result.Out);
        Assert.Contains("--idempotency-key <key>", result.Out);
        Assert.Contains("--force", result.Out);
        Assert.Contains("-o, --output <json|table>", result.Out);
    }

    [Fact]
    public async Task Stats_help_explains_since_and_the_output_formats()
    {
        using var cli = new CliRunner();
        var result = await cli.OkAsync("batch", "stats", "--help");
        Assert.Contains("success rate, runtime p50/p95/max and queue lag", result.Out);
        Assert.Contains("--since <time>", result.Out);
        Assert.Contains("an age such as 90s, 30m, 2h, 7d", result.Out);
        Assert.Contains("-o, --output <json|table>", result.Out);
    }

    [Fact]
    public async Task Activity_is_a_top_level_verb_with_its_own_help()
    {
        using var cli = new CliRunner();
        Assert.Contains(Environment.NewLine + "  activity ", (await cli.OkAsync("--help")).Out);
        var result = await cli.OkAsync("activity", "--help");
        Assert.Contains("jobs queued and running now, per site and action", result.Out);
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
