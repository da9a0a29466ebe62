using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Reflection;
using Ingot.Bmc;
using Ingot.Bmc.Ipmi;
using Ingot.Labs;
using Ingot.Simulator.Ipmi;

namespace Ingot.Bench;

/// <summary>Issue 3's benchmark: power status, each call a full RMCP+ session, by our client and by ipmitool, pyghmi
/// and ipmipower, one after another in the same run against the same BMCs. Fleet (a): 50 OpenIPMI ipmi_sim processes on
/// 127.0.2.1–50. Fleet (b): 1,000 of our simulated BMCs on 127.1.0.1…, served by a child process (this program's
/// <c>ipmi-fleet</c> command) so their CPU is not charged to our client.</summary>
public static class IpmiBenchmark
{
    public const string User = "admin", Password = "password";

    /// <summary>The longest any one measurement may run; what is not done by then is counted as failed.</summary>
    public static readonly TimeSpan MeasurementLimit = TimeSpan.FromSeconds(90);

    public static async Task RunAsync(int simOps, int simSimOps, int ipmitoolOps, int pyghmiOps)
    {
        Console.WriteLine($"== ipmi benchmark: {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        var rows = new List<IpmiRow>();

        IReadOnlyList<IPAddress> simAddresses = [.. Enumerable.Range(1, 50).Select(i => IPAddress.Parse($"127.0.2.{i}"))];
        await using (var sims = await IpmiSimProcesses.StartAsync(simAddresses))
        {
            await WaitUntilAnsweringAsync(sims);
            var hosts = simAddresses.Select(a => a.ToString()).ToList();
            foreach (var operation in new[] { IpmiOperation.PowerStatus, IpmiOperation.DeviceId })
                rows.AddRange(await MeasureFleetAsync("a: 50 ipmi_sim", operation, hosts, simOps, ipmitoolOps, pyghmiOps, concurrency: 50, extraSuite17: false,
                    () => sims.ProcessIds.Sum(ChildCpu.OfProcess)));
        }

        using (var fleet = await StartSimulatorChildAsync(1_000))
        {
            var hosts = Enumerable.Range(0, 1_000).Select(i => IpmiFleet.EndpointOf(new SimulatorOptions(), i).Address.ToString()).ToList();
            rows.AddRange(await MeasureFleetAsync("b: 1,000 simulated", IpmiOperation.PowerStatus, hosts, simSimOps, ipmitoolOps, pyghmiOps, concurrency: 200, extraSuite17: true,
                () => ChildCpu.OfProcess(fleet.Id)));
            fleet.StandardInput.Close();
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await fleet.WaitForExitAsync(stopping.Token);
            }
            catch (OperationCanceledException)
            {
                fleet.Kill(entireProcessTree: true);
            }
        }

        Console.WriteLine();
        Console.WriteLine("| tool | fleet | operation | ops | seconds | ops/s | CPU per op | failures |");
        Console.WriteLine("|---|---|---|---:|---:|---:|---:|---:|");
        foreach (var row in rows) Console.WriteLine(row.Markdown());
        Console.WriteLine();
        foreach (var group in rows.GroupBy(r => (r.Fleet, r.Operation)))
        {
            // Suite 3 against each tool's best row (suite 3 too), so the ratio never flatters our client.
            var ours = group.First(r => r.Tool.StartsWith("Ingot", StringComparison.Ordinal));
            var best = group.Where(r => !r.Tool.StartsWith("Ingot", StringComparison.Ordinal)).GroupBy(r => r.Tool.Split([' ', ','])[0])
                .Select(tool => tool.MaxBy(r => r.OpsPerSecond)!);
            foreach (var other in best.Where(r => r.Tool.StartsWith("pyghmi", StringComparison.Ordinal) || r.Tool.StartsWith("ipmipower", StringComparison.Ordinal)))
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{group.Key.Fleet}, {group.Key.Operation}: Ingot / {other.Tool.Split([' ', ','])[0]} = {ours.OpsPerSecond / other.OpsPerSecond:F2}x ops/s, {ours.CpuPerOp / other.CpuPerOp:F2}x CPU per op"));
        }
    }

    private static async Task<List<IpmiRow>> MeasureFleetAsync(string fleet, IpmiOperation operation, IReadOnlyList<string> hosts,
        int ops, int ipmitoolOps, int pyghmiOps, int concurrency, bool extraSuite17, Func<double> bmcCpu)
    {
        var expected = await IpmiOwnClient.AnswerAsync(operation, hosts[0], suite: 3);
        Console.WriteLine($"-- fleet {fleet}, {operation.Name}: every BMC must answer '{expected}'");
        var rows = new List<IpmiRow>();
        async Task Add(Task<IpmiRow> measurement)
        {
            var row = await measurement;
            Console.WriteLine(row.Markdown());
            rows.Add(row);
        }
        var warmup = Math.Min(200, ops / 10);
        await Add(IpmiOwnClient.MeasureAsync("Ingot IpmiBmc, suite 3", fleet, operation, hosts, 3, ops, warmup, concurrency, expected, bmcCpu));
        if (extraSuite17)
            await Add(IpmiOwnClient.MeasureAsync("Ingot IpmiBmc, suite 17", fleet, operation, hosts, 17, ops, warmup, concurrency, expected, bmcCpu));
        await Add(IpmiExternalTools.IpmitoolAsync(fleet, operation, hosts, ipmitoolOps, warmup: 16, parallel: 8, expected));
        // pyghmi loses answers when several threads run sessions at once ("Session no longer connected" after its
        // retries, ~1–2 s each), so its best is one thread: that row is the one the goal is checked against; the
        // threaded row (fewer ops: its failures cost seconds) shows what the thread pool does.
        await Add(IpmiExternalTools.PyghmiAsync(fleet, operation, hosts, pyghmiOps, warmup: 10, threads: 1, expected));
        await Add(IpmiExternalTools.PyghmiAsync(fleet, operation, hosts, pyghmiOps, warmup: 10, threads: 8, expected));
        if (operation == IpmiOperation.PowerStatus) await Add(IpmiExternalTools.IpmipowerAsync(fleet, hosts, ops, expected));
        return rows;
    }

    /// <summary>Until a full session works with each BMC: ipmi_sim needs a moment after start before it answers.</summary>
    private static async Task WaitUntilAnsweringAsync(IpmiSimProcesses sims)
    {
        await using var transport = new IpmiTransport(new IpmiClientOptions { LocalAddress = IPAddress.Loopback, AttemptTimeout = TimeSpan.FromMilliseconds(300), Attempts = 2 });
        var deadline = DateTime.UtcNow.AddSeconds(20);
        for (var i = 0; i < sims.Addresses.Count; i++)
        {
            while (true)
            {
                sims.ThrowIfExited(i);
                try
                {
                    await using var session = await IpmiSession.OpenAsync(transport, new BmcTarget("ipmi", sims.Addresses[i].ToString(), 623, User, Password));
                    break;
                }
                catch (BmcException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(100);
                }
            }
        }
    }

    /// <summary>Starts this program's <c>ipmi-fleet</c> command and waits for its "ready" line.</summary>
    private static async Task<Process> StartSimulatorChildAsync(int count)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        string[] prefix = Path.GetFileNameWithoutExtension(self) == "dotnet" ? [Assembly.GetEntryAssembly()!.Location] : [];
        var info = new ProcessStartInfo(self, [.. prefix, "ipmi-fleet", "--count", $"{count}"]) { RedirectStandardInput = true, RedirectStandardOutput = true };
        var child = Process.Start(info) ?? throw new InvalidOperationException("the simulator fleet did not start");
        var line = await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (line != "ready") throw new InvalidOperationException($"the simulator fleet said '{line}'");
        return child;
    }

    /// <summary>The child side: serve <paramref name="count"/> simulated BMCs (every one powered off) until standard
    /// input closes.</summary>
    public static async Task ServeFleetAsync(int count)
    {
        await using var fleet = await IpmiFleet.StartAsync(new SimulatorOptions { Count = count });
        Console.WriteLine("ready");
        await Console.In.ReadToEndAsync();
    }
}
