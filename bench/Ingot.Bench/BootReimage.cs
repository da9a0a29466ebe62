using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Ingot.Client;

namespace Ingot.Bench;

/// <summary>Part 2 of the boot benchmark: N simulated machines in use are reimaged at once. Each job powers its
/// machine off and on over IPMI, the machine PXE-boots (GET /boot/ipxe), its installer posts started, progress and
/// finished (POST /boot/events) exactly <c>installSeconds</c> apart, and the job ends in_use. The figure is how much
/// longer than one install the whole fleet takes, and what each job adds to its install.</summary>
public static class BootReimage
{
    public sealed record Result(List<(string Measure, string Value)> Rows, string FleetCounters);

    public static async Task<Result> RunAsync(IngotClient client, Process server, Process fleet, string image, int count, int installSeconds,
                                              bool postgres, int workers)
    {
        var names = await RegisterAsync(client, count);
        Console.WriteLine($"   registered {count:N0} simulated machines, moved to in_use; submitting {count:N0} reimage jobs");

        var (cpu0, pg0, fleet0) = (ChildCpu.OfProcess(server.Id), postgres ? JobsProcesses.PostgresCpu() : 0, ChildCpu.OfProcess(fleet.Id));
        var peakReset = JobsProcesses.ResetPeak(server.Id);
        var clock = Stopwatch.StartNew();
        var parameters = new Dictionary<string, JsonElement> { ["image"] = JsonSerializer.SerializeToElement(image) };
        var ids = await Parallel4Async(names, async name => (await client.SubmitJobAsync(name, JobActions.Reimage, parameters, force: true)).Id);
        var submitSeconds = clock.Elapsed.TotalSeconds;
        await JobsBenchmark.WaitUntilDrainedAsync(client);
        var wall = clock.Elapsed.TotalSeconds;
        var (cpu1, pg1, fleet1) = (ChildCpu.OfProcess(server.Id), postgres ? JobsProcesses.PostgresCpu() : 0, ChildCpu.OfProcess(fleet.Id));
        var peakKiB = JobsProcesses.PeakRssKiB(server.Id);

        var all = await JobTimings.ListAllAsync(client);
        var jobs = ids.Select(id => all[id]).ToList();
        var timings = new JobTimings(jobs);
        var install = installSeconds * 1000.0;
        var overheadMs = JobTimings.Sorted(timings.StartedToEndedMs.Select(ms => ms - install));
        var span = timings.Span;
        var counters = await BootFleet.StopAsync(fleet);
        var rows = new List<(string, string)>
        {
            ("machines reimaged; jobs succeeded / not", F($"{count:N0}; {jobs.Count(j => j.Status == JobStatus.Succeeded):N0} / {jobs.Count(j => j.Status != JobStatus.Succeeded)}")),
            ("simulated install time ('started' → 'finished')", F($"{installSeconds} s")),
            ($"submission, POST …/jobs, 4 clients", F($"{submitSeconds:F1} s = {count / submitSeconds:N0} jobs/s")),
            ("**first submitted → last ended** (server clock)", F($"**{span:F1} s**")),
            ("last submitted → last ended", F($"{(jobs.Max(j => j.EndedAt!.Value) - jobs.Max(j => j.CreatedAt)).TotalSeconds:F1} s")),
            ("**overhead ratio: total / install time**", F($"**{span / installSeconds:F2}×**")),
            ("job run − install time (started → ended − install), p50 / p99", JobTimings.P50P99(overheadMs)),
            ("where a job's time goes: p50 of each step (ms)", StepMedians(jobs)),
            ("queued → started, p50 / p99", JobTimings.P50P99(timings.QueuedToStartedMs)),
            ("most jobs in a worker-holding step at once (a lower bound; of the workers)", F($"{MostHoldingWorkers(jobs)} of {workers}")),
            ("server CPU, total / per job", F($"{cpu1 - cpu0:F1} s / {(cpu1 - cpu0) / count * 1000:F1} ms")),
            ("PostgreSQL CPU, total / per job", postgres ? F($"{pg1 - pg0:F1} s / {(pg1 - pg0) / count * 1000:F1} ms") : "(in the server)"),
            ("simulated fleet CPU (HTTP boot + installers + BMCs), total", F($"{fleet1 - fleet0:F1} s")),
            (peakReset ? "server peak RSS during the reimage" : "server peak RSS since start", F($"{peakKiB / 1024.0:N0} MiB")),
            ("bench wall time, first submission → broker drained", F($"{wall:F1} s")),
        };
        foreach (var (measure, value) in rows) Console.WriteLine($"   {measure,-72} {value}");
        Console.WriteLine($"   fleet counters: {counters}");
        var failed = jobs.FirstOrDefault(j => j.Status != JobStatus.Succeeded);
        if (failed is not null) Console.WriteLine($"   first job not succeeded: {failed.Id} {failed.Status}: {failed.Error}");
        return new Result(rows, counters);
    }

    /// <summary>CSV import (one request) with the fleet's MACs and BMCs, then each machine through the lifecycle by
    /// hand as an operator would (commission, allocate, install, finish_install: four API transitions each).</summary>
    private static async Task<List<string>> RegisterAsync(IngotClient client, int count)
    {
        var csv = new StringBuilder("serial,macs,bmc_driver,bmc_address,bmc_port,bmc_username,bmc_password\n");
        for (var i = 0; i < count; i++)
        {
            var (identity, bmc) = (BootFleet.Identity(i), BootFleet.Bmc(i));
            csv.Append(CultureInfo.InvariantCulture, $"{identity.Serial},{string.Join(' ', identity.Macs)},ipmi,{bmc.Address},{bmc.Port},admin,password\n");
        }
        var result = await client.ImportMachinesAsync(csv.ToString());
        if (result.Rejected > 0) throw new InvalidOperationException($"import rejected rows: {result.Errors[0].Reason}");
        var names = result.HardwareNames.ToList();
        await Parallel4Async(names, async name =>
        {
            foreach (var trigger in new[] { "commission", "allocate", "install", "finish_install" }) await client.TransitionAsync(name, trigger);
            return 0L;
        });
        return names;
    }

    private static async Task<List<long>> Parallel4Async(IReadOnlyList<string> names, Func<string, Task<long>> call)
    {
        var results = new long[names.Count];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var i && i < names.Count) results[i] = await call(names[i]);
        }));
        return [.. results];
    }

    /// <summary>A worker is held from a job's claim until it parks or ends: every step but the waiting ones. The most
    /// such intervals open at one instant (a sweep over the steps' own timestamps) is the most workers ever busy, so
    /// under the worker count means no job waited for a worker. A lower bound: a job woken by a progress event holds a
    /// worker briefly inside its waiting step (to read the event and park again), which the steps do not show.</summary>
    private static int MostHoldingWorkers(IEnumerable<JobView> jobs)
    {
        var edges = jobs.SelectMany(j => j.Steps)
            .Where(s => !s.Name.StartsWith("wait_", StringComparison.Ordinal) && s.StartedAt is not null && s.EndedAt is not null)
            .SelectMany(s => new[] { (At: s.StartedAt!.Value, Delta: 1), (At: s.EndedAt!.Value, Delta: -1) })
            .OrderBy(e => e.At).ThenBy(e => e.Delta); // an end before a start at the same instant
        int open = 0, most = 0;
        foreach (var (_, delta) in edges) most = Math.Max(most, open += delta);
        return most;
    }

    /// <summary>p50 duration of each step, in plan order: which step, besides the install itself, costs the time.</summary>
    private static string StepMedians(IReadOnlyList<JobView> jobs) => string.Join(", ", jobs
        .SelectMany(j => j.Steps)
        .Where(s => s.StartedAt is not null && s.EndedAt is not null)
        .GroupBy(s => s.Name)
        .Select(g => F($"{g.Key} {JobTimings.Percentile(JobTimings.Sorted(g.Select(s => (s.EndedAt!.Value - s.StartedAt!.Value).TotalMilliseconds)), 0.5):F0}")));

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
