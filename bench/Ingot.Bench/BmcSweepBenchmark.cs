using System.Diagnostics;
using System.Globalization;
using System.Net;
using Ingot.Bmc;
using Ingot.Bmc.Ipmi;
using Ingot.Client;
using Ingot.Server.Hosting;
using Ingot.Server.Jobs;
using Ingot.Server.SelfService;
using Microsoft.Extensions.DependencyInjection;

namespace Ingot.Bench;

/// <summary>Issue 14's BMC watch: one sweep of N simulated IPMI BMCs (a child process) by the server's own BmcWatch, in
/// this process with the server, against the same N probes (a session and a power read each, 64 at a time) made
/// directly with IpmiBmc in the same run. Figures: the sweep's wall time as the server paces it, the cores it used (this
/// process's CPU time over the wall time), and the same sweep flat out against the direct probes. Then a second sweep with 5% of the BMCs gone (their addresses
/// answer nothing), which must end in about the same time: the failing ones wait out their timeouts side by side.</summary>
public static class BmcSweepBenchmark
{
    public static async Task RunAsync(IReadOnlyList<string> engines, int bmcs)
    {
        Console.WriteLine($"== BMC sweep benchmark: {bmcs:N0} simulated BMCs, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        foreach (var engine in engines) await RunEngineAsync(engine, bmcs);
    }

    private static async Task RunEngineAsync(string engine, int bmcs)
    {
        var data = Directory.CreateTempSubdirectory("ingot-bench-sweep-").FullName;
        var database = engine == "postgres" ? await InventoryBenchmark.FreshPostgresAsync("ingot_bench_sweep") : null;
        var token = Tokens.Generate();
        var fleet = await JobsProcesses.StartAsync("jobs-fleet", "--count", bmcs.ToString(CultureInfo.InvariantCulture));
        await using var app = await ServerHost.BuildAsync(new ServerSettings
        {
            DataDirectory = data, Database = database, Urls = ["http://127.0.0.1:7499"], AdminToken = token,
            // No workers: the sweep is called by the benchmark, once, so what is timed is one sweep and nothing else.
            Jobs = new JobOptions { RunWorkers = false },
            Ipmi = new IpmiClientOptions { LocalAddress = IPAddress.Loopback },
        }, logging: _ => { });
        await app.StartAsync();
        var client = new IngotClient(new Uri("http://127.0.0.1:7499/"), token);
        // 5% of the machines point at addresses no BMC answers on (beyond the fleet's), for the second sweep.
        var gone = bmcs / 20;
        await JobsBenchmark.ImportAsync(client, bmcs);
        var watch = app.Services.GetRequiredService<BmcWatch>();
        Console.WriteLine($"-- {engine}: {bmcs:N0} machines; a warm-up sweep of the first 200 by direct probes");
        await DirectAsync(Math.Min(200, bmcs), 256);

        var (wall, cpu, result) = await TimedAsync(() => watch.SweepAsync(CancellationToken.None));
        var (wallFlat, cpuFlat, _) = await TimedAsync(() => watch.SweepAsync(CancellationToken.None, spread: TimeSpan.Zero));
        var direct = await DirectAsync(bmcs, 256);
        await JobsProcesses.StopAsync(fleet);
        var restarted = await JobsProcesses.StartAsync("jobs-fleet", "--count", (bmcs - gone).ToString(CultureInfo.InvariantCulture));
        var (wallGone, cpuGone, resultGone) = await TimedAsync(() => watch.SweepAsync(CancellationToken.None, spread: TimeSpan.Zero));
        var unreachable = await client.SearchMachinesAsync(new MachineQuery(BmcHealth: "unreachable", Count: true, Limit: 1));
        await JobsProcesses.StopAsync(restarted);
        await app.StopAsync();
        Directory.Delete(data, true);

        var rows = new (string, string)[]
        {
            ("**sweep as the server runs it (spread over 30 s), every BMC answering**", F($"**{wall:F1} s** for {result!.Value.Probed:N0} BMCs ({result.Value.Failed} failed)")),
            ("**CPU of that sweep (server process), cores used**", F($"**{cpu / wall:F2} cores** ({cpu:F1} s CPU; {cpu / result.Value.Probed * 1000:F2} ms per BMC)")),
            ("the same sweep flat out (spread 0)", F($"{wallFlat:F1} s = {result.Value.Probed / wallFlat:N0} BMCs/s, {cpuFlat / wallFlat:F2} cores")),
            ("direct probes, IpmiBmc, 256 at a time, same BMCs", F($"{direct.Wall:F1} s, {direct.Cpu / direct.Wall:F2} cores, {direct.Failures} failed")),
            ("**flat-out sweep / direct probes**", F($"**{wallFlat / direct.Wall:F2}×** (CPU {cpuFlat / direct.Cpu:F2}×)")),
            ($"flat-out sweep with {gone:N0} BMCs gone (5%)", F($"{wallGone:F1} s, {cpuGone / wallGone:F2} cores; {resultGone!.Value.Failed:N0} failed; {unreachable.Total:N0} marked unreachable")),
        };
        foreach (var (measure, value) in rows) Console.WriteLine($"   {measure,-72} {value}");
    }

    private static async Task<(double Wall, double Cpu, T Result)> TimedAsync<T>(Func<Task<T>> work)
    {
        var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var result = await work();
        var wall = clock.Elapsed.TotalSeconds;
        self.Refresh();
        return (wall, (self.TotalProcessorTime - cpu).TotalSeconds, result);
    }

    private static async Task<(double Wall, double Cpu, int Failures)> DirectAsync(int count, int concurrency)
    {
        await using var transport = new IpmiTransport(new IpmiClientOptions { LocalAddress = IPAddress.Loopback });
        var failures = 0;
        var (wall, cpu, _) = await TimedAsync(async () =>
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, ct) =>
            {
                var ep = JobsProcesses.BmcEndpoint(i);
                try
                {
                    await using var bmc = new IpmiBmc(new BmcTarget("ipmi", ep.Address.ToString(), ep.Port, "admin", "password"), transport);
                    await bmc.GetPowerStateAsync(ct);
                }
                catch (BmcException)
                {
                    Interlocked.Increment(ref failures);
                }
            });
            return 0;
        });
        return (wall, cpu, failures);
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
