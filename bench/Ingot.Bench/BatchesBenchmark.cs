using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Ingot.Client;
using Ingot.Server.SelfService;

namespace Ingot.Bench;

/// <summary>Issue 6's benchmark: acceptance of batches over HTTP. N batches of H distinct hosts (power_on) from C concurrent
/// clients, overlap checking on (the batch_claims table, always), against a baseline of N `GET /api/v1/batches/{id}` from
/// the same clients; then one batch of 10,000 hosts. The server is a child process (<c>jobs-server --run-workers false</c>):
/// no worker runs, so every job stays queued and the figures are acceptance alone. Machines are imported first, not measured.
/// Every machine has one role, owned by a team: the measured run is made twice over the same machines, by the admin (the
/// ownership check passes at its first test) and by a member of that team (each host's team is compared), the admin's
/// batches cancelled in between (issue 12).</summary>
public static class BatchesBenchmark
{
    private const string Url = "http://127.0.0.1:7494";
    private const int WarmupBatches = 16;
    /// <summary>How long the warm-up runs: until the server's tiered JIT compilation has settled. A warm-up of a few
    /// batches left it compiling through the measured run, 12–15% of the server's CPU (seen with perf).</summary>
    private static readonly TimeSpan WarmupTime = TimeSpan.FromSeconds(20);
    private const int SequentialBatches = 20;
    private const int BigBatch = 10_000;
    /// <summary>BMC addresses: 127.10.0.1 onwards. Nothing listens there; no worker ever calls them.</summary>
    private const uint AddressBase = (127u << 24) | (10u << 16) | 1u;

    public static async Task RunAsync(IReadOnlyList<string> engines, int batches, int hosts, int clients)
    {
        Console.WriteLine($"== batches benchmark: {batches:N0} batches × {hosts} hosts, {clients} clients, then one of {BigBatch:N0}; " +
                          $"{Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        var results = new List<(string Engine, List<(string Measure, string Value)> Rows)>();
        foreach (var engine in engines) results.Add((engine, await RunEngineAsync(engine, batches, hosts, clients)));
        Console.WriteLine();
        Console.WriteLine($"| measure | {string.Join(" | ", results.Select(r => r.Engine))} |");
        Console.WriteLine($"|---|{string.Concat(results.Select(_ => "---:|"))}");
        foreach (var (measure, i) in results[0].Rows.Select((r, i) => (r.Measure, i)))
            Console.WriteLine($"| {measure} | {string.Join(" | ", results.Select(r => r.Rows.Count > i ? r.Rows[i].Value : ""))} |");
    }

    private static async Task<List<(string, string)>> RunEngineAsync(string engine, int batches, int hosts, int clients)
    {
        var data = Directory.CreateTempSubdirectory("ingot-bench-batches-").FullName;
        var pg = engine == "postgres";
        var database = pg ? await InventoryBenchmark.FreshPostgresAsync("ingot_bench_batches") : null;
        var token = Tokens.Generate();
        var server = await JobsProcesses.StartAsync(["jobs-server", "--data", data, "--url", Url, "--token", token, "--run-workers", "false",
            .. database is null ? Array.Empty<string>() : ["--database", database]]);
        var client = new IngotClient(new HttpClient { BaseAddress = new Uri(Url + "/"), Timeout = TimeSpan.FromMinutes(10) }, token);
        var total = (WarmupBatches + SequentialBatches + batches) * hosts + BigBatch;
        Console.WriteLine($"-- {engine}: server pid {server.Id} (workers off); importing {total:N0} machines (not measured)");
        var importClock = Stopwatch.StartNew();
        const string role = "bench-db";
        await client.CreateTeamAsync(new TeamCreate("bench"));
        await client.CreateRoleAsync(new RoleCreate(role, "bench"));
        await client.CreateUserAsync(new UserCreate("member", Teams: ["bench"]));
        var member = new IngotClient(new HttpClient { BaseAddress = new Uri(Url + "/"), Timeout = TimeSpan.FromMinutes(10) },
            (await client.CreateTokenAsync(new TokenCreate("bench", "member"))).Token);
        var machines = await JobsBenchmark.ImportAsync(client, total, i => Address(i).ToString(), role);
        Console.WriteLine($"   imported {machines.Count:N0} in {importClock.Elapsed.TotalSeconds:F0} s");
        var groups = machines.Chunk(hosts).ToList();
        var warmup = groups.Take(WarmupBatches).ToList();
        var sequential = groups.Skip(WarmupBatches).Take(SequentialBatches).ToList();
        var measured = groups.Skip(WarmupBatches + SequentialBatches).Take(batches).ToList();
        var big = machines.Skip(machines.Count - BigBatch).ToArray();

        // Warm-up (JIT, connection pools, auto-prepared statements), not measured: batches and reads from all clients, by
        // the admin and the member in turn, each round's batches cancelled so that the next round can take the same
        // machines again.
        var warmClock = Stopwatch.StartNew();
        var rounds = 0;
        while (warmClock.Elapsed < WarmupTime)
        {
            var (warmIds, _, _) = await SubmitAsync(rounds % 2 == 0 ? client : member, warmup, clients, hosts);
            await ReadAsync(client, [.. Enumerable.Repeat(warmIds, 4).SelectMany(x => x)], clients);
            foreach (var id in warmIds) await client.CancelBatchAsync(id);
            rounds++;
        }
        Console.WriteLine($"   warm-up done: {rounds} rounds of {warmup.Count} batches in {warmClock.Elapsed.TotalSeconds:F0} s");

        // One at a time: a batch's latency with nobody else in the server (the split into per-batch and per-host cost).
        var (_, sequentialMs, _) = await SubmitAsync(client, sequential, 1, hosts);

        // The measured run.
        var (cpu0, pg0) = (ChildCpu.OfProcess(server.Id), pg ? JobsProcesses.PostgresCpu() : 0);
        var (ids, submitMs, seconds) = await SubmitAsync(client, measured, clients, hosts);
        var (cpu1, pg1) = (ChildCpu.OfProcess(server.Id), pg ? JobsProcesses.PostgresCpu() : 0);
        Console.WriteLine($"   accepted {ids.Count:N0} batches in {seconds:F2} s");

        // Baseline: the same number of reads of those batches, same clients, no writes.
        var (readMs, readSeconds) = await ReadAsync(client, ids, clients);

        // The same run by the team's member, once the admin's batches are cancelled (not measured) and their machines free.
        foreach (var id in ids) await client.CancelBatchAsync(id);
        var (mcpu0, mpg0) = (ChildCpu.OfProcess(server.Id), pg ? JobsProcesses.PostgresCpu() : 0);
        var (memberIds, memberMs, memberSeconds) = await SubmitAsync(member, measured, clients, hosts);
        var (mcpu1, mpg1) = (ChildCpu.OfProcess(server.Id), pg ? JobsProcesses.PostgresCpu() : 0);
        Console.WriteLine($"   the member accepted {memberIds.Count:N0} batches in {memberSeconds:F2} s");

        // One batch of 10,000 hosts.
        var (bigIds, bigMs, _) = await SubmitAsync(client, [big], 1, BigBatch);
        var bigSeconds = bigMs[0] / 1000;

        var status = await client.GetBrokerStatusAsync();
        var expected = (long)total - WarmupBatches * hosts; // the warm-up's and the admin's measured batches were cancelled
        if (status.Queued != expected || status.Running != 0)
            throw new InvalidOperationException($"broker has {status.Queued} queued, {status.Running} running; expected {expected} queued, none running");
        await JobsProcesses.StopAsync(server);
        Directory.Delete(data, true);

        var perHostMs = (bigMs[0] - Median(sequentialMs)) / (BigBatch - hosts);
        var rows = new List<(string, string)>
        {
            ("batches accepted (201) / jobs queued after the run / running", F($"{ids.Count + bigIds.Count:N0} (+{SequentialBatches} one at a time; warm-up cancelled) / {status.Queued:N0} / {status.Running}")),
            (F($"**acceptance: {batches} × {hosts} hosts, {clients} clients, first sent → last 201**"), F($"**{seconds:F2} s** = {batches / seconds:N0} batches/s = {batches * hosts / seconds:N0} hosts/s")),
            ("**goal (issue 6): < 1 s** — measured / goal", F($"**{seconds:F2}×**")),
            ("per submission, p50 / p99 / max", P(submitMs)),
            (F($"baseline: {ids.Count} `GET /api/v1/batches/{{id}}`, {clients} clients, first → last"), F($"{readSeconds:F3} s")),
            ("baseline per read, p50 / p99 / max", P(readMs)),
            ("**acceptance time / baseline time**", F($"**{seconds / readSeconds:F1}×**")),
            (F($"one at a time ({SequentialBatches} batches of {hosts}), p50 / p99"), P(sequentialMs, max: false)),
            (F($"**one batch of {BigBatch:N0} hosts**"), F($"**{bigSeconds:F2} s** = {BigBatch / bigSeconds:N0} hosts/s")),
            (F($"per host, ({BigBatch:N0}-batch − {hosts}-batch p50) / {BigBatch - hosts:N0}"), F($"{perHostMs:F3} ms")),
            (F($"per batch, {hosts}-batch p50 − {hosts} × per host"), F($"{Median(sequentialMs) - hosts * perHostMs:F1} ms")),
            ("server CPU per batch in the measured run", F($"{(cpu1 - cpu0) / batches * 1000:F1} ms")),
            ("PostgreSQL CPU per batch in the measured run", pg ? F($"{(pg1 - pg0) / batches * 1000:F1} ms") : "(in server)"),
            (F($"**the same run by a member of the owning team**, first sent → last 201"), F($"**{memberSeconds:F2} s** = {memberSeconds / seconds:F2}× the admin's")),
            ("member: per submission, p50 / p99 / max", P(memberMs)),
            ("member: server CPU per batch / PostgreSQL CPU per batch", F($"{(mcpu1 - mcpu0) / batches * 1000:F1} ms / ") + (pg ? F($"{(mpg1 - mpg0) / batches * 1000:F1} ms") : "(in server)")),
        };
        foreach (var (measure, value) in rows) Console.WriteLine($"   {measure,-80} {value}");
        return rows;
    }

    private static IPAddress Address(int i)
    {
        var a = AddressBase + (uint)i;
        return new IPAddress(new[] { (byte)(a >> 24), (byte)(a >> 16), (byte)(a >> 8), (byte)a });
    }

    /// <summary>One power_on batch per group, <paramref name="concurrency"/> in flight; each call timed from send to 201.</summary>
    /// <returns>Batch ids, per-call milliseconds, and seconds from the first request sent to the last answer.</returns>
    private static async Task<(List<long> Ids, double[] Ms, double Seconds)> SubmitAsync(IngotClient client, IReadOnlyList<string[]> groups, int concurrency, int hosts)
    {
        var ids = new long[groups.Count];
        var ms = new double[groups.Count];
        var next = -1;
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var i && i < groups.Count)
            {
                var t = Stopwatch.GetTimestamp();
                var view = await client.SubmitBatchAsync(new BatchSubmit(JobActions.PowerOn, groups[i]));
                ms[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
                if (view.Hosts != hosts || view.Counts.Queued != hosts)
                    throw new InvalidOperationException($"batch {view.Id}: {view.Hosts} hosts, {view.Counts.Queued} queued; expected {hosts}");
                ids[i] = view.Id;
            }
        }));
        return ([.. ids], ms, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    private static async Task<(double[] Ms, double Seconds)> ReadAsync(IngotClient client, IReadOnlyList<long> ids, int concurrency)
    {
        var ms = new double[ids.Count];
        var next = -1;
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var i && i < ids.Count)
            {
                var t = Stopwatch.GetTimestamp();
                await client.GetBatchAsync(ids[i]);
                ms[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            }
        }));
        return (ms, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    private static double Median(double[] ms) => Percentile(ms, 0.5);

    private static double Percentile(double[] ms, double p)
    {
        var sorted = ms.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(sorted.Length * p) - 1, 0, sorted.Length - 1)];
    }

    private static string P(double[] ms, bool max = true) =>
        F($"{Percentile(ms, 0.5):F1} / {Percentile(ms, 0.99):F1}") + (max ? F($" / {ms.Max():F1}") : "") + " ms";

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
