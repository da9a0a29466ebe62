using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ingot.Client;
using Ingot.Server.SelfService;

namespace Ingot.Bench;

/// <summary>Issue 4's benchmark: N power_cycle jobs through the broker, one per simulated BMC, against the same N
/// cycles done directly with IpmiBmc in the same run. The server (with its workers) and the fleet are child processes
/// (JobsProcesses), so the server's CPU and memory are its own; this process only submits, polls and reads back.</summary>
public static class JobsBenchmark
{
    private const string Url = "http://127.0.0.1:7493";
    private const int WarmupJobs = 100;
    /// <summary>Spacing of the idle-workers variant: far below what the broker sustains, so no job waits for a worker
    /// (checked: the report gives the most jobs that ran at once).</summary>
    private static readonly TimeSpan IdleSpacing = TimeSpan.FromMilliseconds(100);

    public static async Task RunAsync(IReadOnlyList<string> engines, int jobs, int workers, int submitters)
    {
        Console.WriteLine($"== jobs benchmark: {jobs:N0} power_cycle jobs, {workers} workers, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        var results = new List<(string Engine, List<(string Measure, string Value)> Rows)>();
        foreach (var engine in engines) results.Add((engine, await RunEngineAsync(engine, jobs, workers, submitters)));
        Console.WriteLine();
        Console.WriteLine($"| measure | {string.Join(" | ", results.Select(r => r.Engine))} |");
        Console.WriteLine($"|---|{string.Concat(results.Select(_ => "---:|"))}");
        foreach (var (measure, i) in results[0].Rows.Select((r, i) => (r.Measure, i)))
            Console.WriteLine($"| {measure} | {string.Join(" | ", results.Select(r => r.Rows.Count > i ? r.Rows[i].Value : ""))} |");
    }

    private static async Task<List<(string, string)>> RunEngineAsync(string engine, int jobs, int workers, int submitters)
    {
        var data = Directory.CreateTempSubdirectory("ingot-bench-jobs-").FullName;
        var database = engine == "postgres" ? await InventoryBenchmark.FreshPostgresAsync("ingot_bench_jobs") : null;
        var token = Tokens.Generate();
        var fleet = await JobsProcesses.StartAsync("jobs-fleet", "--count", Text(jobs));
        var server = await JobsProcesses.StartAsync(["jobs-server", "--data", data, "--url", Url, "--token", token, "--workers", Text(workers),
            .. database is null ? Array.Empty<string>() : ["--database", database]]);
        var client = new IngotClient(new Uri(Url + "/"), token);
        Console.WriteLine($"-- {engine}: server pid {server.Id}, fleet pid {fleet.Id} ({jobs:N0} BMCs from {JobsProcesses.FleetBase}:623)");
        var machines = await ImportAsync(client, jobs);
        Console.WriteLine($"   imported {machines.Count:N0} machines; warm-up ({WarmupJobs} jobs), then {Math.Clamp(jobs / 20, 50, 500):N0} spaced jobs");

        // Warm-up (JIT, connection pools), not measured; then the idle-workers variant, spaced.
        await SubmitAsync(client, machines.Take(WarmupJobs).ToList(), submitters);
        await WaitUntilDrainedAsync(client);
        var idleCount = Math.Clamp(jobs / 20, 50, 500);
        var idleIds = await SubmitSpacedAsync(client, machines.Skip(WarmupJobs).Concat(machines).Take(idleCount).ToList());
        await WaitUntilDrainedAsync(client);

        // The measured run: every machine one job, submitted as fast as `submitters` concurrent clients can.
        var pg = engine == "postgres";
        var (cpu0, pg0, fleet0) = (ChildCpu.OfProcess(server.Id), pg ? JobsProcesses.PostgresCpu() : 0, ChildCpu.OfProcess(fleet.Id));
        var peakReset = JobsProcesses.ResetPeak(server.Id);
        var clock = Stopwatch.StartNew();
        var ids = await SubmitAsync(client, machines, submitters);
        var submitSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"   submitted {jobs:N0} in {submitSeconds:F1} s; waiting for the broker");
        await WaitUntilDrainedAsync(client);
        var (cpu1, pg1, fleet1) = (ChildCpu.OfProcess(server.Id), pg ? JobsProcesses.PostgresCpu() : 0, ChildCpu.OfProcess(fleet.Id));
        var peakKiB = JobsProcesses.PeakRssKiB(server.Id);

        var all = await JobTimings.ListAllAsync(client);
        var run = new JobTimings([.. ids.Select(id => all[id])]);
        var idle = new JobTimings([.. idleIds.Select(id => all[id])]);
        var rssKiB = JobsProcesses.RssKiB(server.Id);
        await JobsProcesses.StopAsync(server);

        Console.WriteLine("   direct baseline: warm-up, then the same cycles with IpmiBmc");
        await JobsDirect.RunAsync(Math.Min(200, jobs), workers);
        var fleetD0 = ChildCpu.OfProcess(fleet.Id);
        var direct = await JobsDirect.RunAsync(jobs, workers);
        var fleetD1 = ChildCpu.OfProcess(fleet.Id);
        await JobsProcesses.StopAsync(fleet);
        Directory.Delete(data, true);

        var span = run.Span;
        var runMs = run.StartedToEndedMs;
        var cycleMs = JobTimings.Sorted(direct.CycleMs);
        var rows = new List<(string, string)>
        {
            ("jobs submitted / failed (broker); failed (direct)", $"{jobs:N0} / {run.Failed} ; {direct.Failures}"),
            ($"submission rate, POST …/jobs, {submitters} clients, workers running", F($"{jobs / submitSeconds:N0} jobs/s")),
            ("**broker: first submitted → last ended**", F($"{span:F1} s = **{jobs / span:N0} jobs/s**")),
            ($"direct IpmiBmc, same cycles, {workers} at a time", F($"{direct.Seconds:F1} s = {jobs / direct.Seconds:N0} cycles/s")),
            ("**broker time / direct time**", F($"**{span / direct.Seconds:F2}×**")),
            ("broker overhead per job, wall: (broker − direct) / jobs", F($"{(span - direct.Seconds) / jobs * 1000:F2} ms")),
            ("job run, started → ended, p50 / p99", JobTimings.P50P99(runMs)),
            ("direct cycle, p50 / p99", JobTimings.P50P99(cycleMs)),
            ("per-job overhead in a worker: mean run − mean direct cycle", F($"{runMs.Average() - cycleMs.Average():F1} ms ({runMs.Average():F1} − {cycleMs.Average():F1})")),
            (F($"**queued → started, idle workers** ({idle.Count:N0} jobs, one per {IdleSpacing.TotalMilliseconds:0} ms), p50 / p99"), "**" + JobTimings.P50P99(idle.QueuedToStartedMs) + "**"),
            ("   most jobs running at once in that variant (of the workers)", F($"{idle.MaxRunning} of {workers}")),
            ("queued → started, measured run (submitted flat out), p50 / p99", JobTimings.P50P99(run.QueuedToStartedMs)),
            ("server CPU per job (API + broker + IPMI)", F($"{(cpu1 - cpu0) / jobs * 1000:F2} ms")),
            ("direct CPU per cycle (IPMI client only)", F($"{direct.CpuSeconds / jobs * 1000:F2} ms")),
            ("PostgreSQL CPU per job", pg ? F($"{(pg1 - pg0) / jobs * 1000:F2} ms") : "(in server)"),
            ("simulated BMCs' CPU per job / per direct cycle", F($"{(fleet1 - fleet0) / jobs * 1000:F2} / {(fleetD1 - fleetD0) / jobs * 1000:F2} ms")),
            (peakReset ? "server peak RSS during the measured run" : "server peak RSS since start", F($"{peakKiB / 1024.0:N0} MiB")),
            ("server RSS after reading back every job", F($"{rssKiB / 1024.0:N0} MiB")),
        };
        foreach (var (measure, value) in rows) Console.WriteLine($"   {measure,-72} {value}");
        return rows;
    }

    /// <summary>Imports <paramref name="count"/> machines with an IPMI BMC each (at <paramref name="address"/>(i)),
    /// 10,000 rows per CSV; returns their hardware names. Shared with the batches benchmark.</summary>
    /// <param name="role">A role every machine gets (its team then owns them all), or none: the free pool.</param>
    internal static async Task<List<string>> ImportAsync(IngotClient client, int count, Func<int, string>? address = null, string? role = null)
    {
        address ??= i => JobsProcesses.BmcEndpoint(i).Address.ToString();
        var names = new List<string>(count);
        for (var from = 0; from < count; from += 10_000)
        {
            var csv = new StringBuilder("serial,role,bmc_driver,bmc_address,bmc_username,bmc_password\n");
            for (var i = from; i < Math.Min(count, from + 10_000); i++)
                csv.Append(CultureInfo.InvariantCulture, $"{InventoryBenchmark.Serial(i)},{role},ipmi,{address(i)},admin,password\n");
            var result = await client.ImportMachinesAsync(csv.ToString());
            if (result.Rejected > 0) throw new InvalidOperationException($"import rejected rows: {result.Errors[0].Reason}");
            names.AddRange(result.HardwareNames);
        }
        return names;
    }

    /// <summary>One power_cycle per machine, <paramref name="concurrency"/> submissions in flight.</summary>
    private static async Task<List<long>> SubmitAsync(IngotClient client, IReadOnlyList<string> machines, int concurrency)
    {
        var ids = new long[machines.Count];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var i && i < machines.Count)
                ids[i] = (await client.SubmitJobAsync(machines[i], JobActions.PowerCycle)).Id;
        }));
        return [.. ids];
    }

    /// <summary>One submission every <see cref="IdleSpacing"/> on a fixed schedule (a slow answer does not push the
    /// next one later).</summary>
    private static async Task<List<long>> SubmitSpacedAsync(IngotClient client, IReadOnlyList<string> machines)
    {
        var start = Stopwatch.GetTimestamp();
        var pending = new List<Task<JobView>>();
        for (var i = 0; i < machines.Count; i++)
        {
            var due = IdleSpacing * i - Stopwatch.GetElapsedTime(start);
            if (due > TimeSpan.Zero) await Task.Delay(due);
            pending.Add(client.SubmitJobAsync(machines[i], JobActions.PowerCycle));
        }
        return [.. (await Task.WhenAll(pending)).Select(j => j.Id)];
    }

    /// <summary>Until the broker has nothing queued or running (parked jobs count as running). Also the boot benchmark's.</summary>
    public static async Task WaitUntilDrainedAsync(IngotClient client)
    {
        var deadline = Stopwatch.StartNew();
        while (await client.GetBrokerStatusAsync() is var status && status.Queued + status.Running > 0)
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(30)) throw new TimeoutException($"broker still has {status.Queued} queued, {status.Running} running");
            await Task.Delay(200);
        }
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
