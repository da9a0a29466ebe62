using System.Text.RegularExpressions;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Sim;

/// <summary>`ingot sim bmc` serves simulated BMCs until cancelled, printing where they listen; `ingot bmc`
/// then drives one of them by the printed address.</summary>
public sealed partial class SimBmcCommandTests
{
    [Fact]
    public async Task Sim_bmc_prints_where_each_bmc_listens_and_serves_redfish_until_cancelled()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var output = TextWriter.Synchronized(stdout);
        var context = new CliContext(output, TextWriter.Synchronized(stderr), _ => null, "/nonexistent/config.json", new StringReader(""));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var run = Cli.RunAsync(["sim", "bmc", "--count", "2", "--ipmi-base", "127.79.0.1", "--ipmi-port", "0", "--redfish-port", "0",
            "--user", "root", "--password", "calvin", "--faults", "latency=5ms"], context, stop.Token);

        var banner = await BannerAsync(stdout, run);
        Assert.Contains("2 simulated BMC(s); users: root/calvin", banner);
        Assert.Contains("sim-bmc-2  ipmi udp://127.79.0.2:", banner);
        Assert.Contains("faults: latency=5ms", banner);
        var redfish = RedfishUrl().Match(banner);
        Assert.True(redfish.Success, banner);

        using var cli = new CliRunner();
        cli.Environment["INGOT_BMC_PASSWORD"] = "calvin";
        var result = await cli.OkAsync("bmc", "power", "on", "--driver", "redfish", "--scheme", "http",
            "--host", redfish.Groups["host"].Value, "--port", redfish.Groups["port"].Value, "--user", "root");
        Assert.Equal("powered on (confirmed)" + Environment.NewLine, result.Out);

        await stop.CancelAsync();
        Assert.Equal(0, await run);
        Assert.Equal("", stderr.ToString());
    }

    [Fact]
    public async Task An_unknown_fault_is_a_usage_error()
    {
        using var cli = new CliRunner();
        var result = await cli.FailsAsync(2, "sim", "bmc", "--faults", "explode");
        Assert.Contains("Unknown fault 'explode'", result.Error);
    }

    private static async Task<string> BannerAsync(StringWriter stdout, Task<int> run)
    {
        // The command runs until cancelled; the banner's last line says it is serving.
        for (var i = 0; i < 600 && !stdout.ToString().Contains("Ctrl-C stops them.") && !run.IsCompleted; i++)
            await Task.Delay(50);
        return stdout.ToString();
    }

    [GeneratedRegex(@"sim-bmc-1 .* redfish http://(?<host>127\.79\.0\.1):(?<port>\d+)")]
    private static partial Regex RedfishUrl();
}
