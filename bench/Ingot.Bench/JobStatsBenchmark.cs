using System.Diagnostics;
using System.Globalization;
using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Hosting;
using Ingot.Server.Jobs;
using Ingot.Server.SelfService;
using Microsoft.Extensions.DependencyInjection;

namespace Ingot.Bench;

/// <summary>Issue 14's statistics: GET /api/v1/jobs/stats over a window of N job rows (two steps each), against one
/// plain pass over the same window (a COUNT and a SUM of durations by the database) in the same run: the floor a
/// grouped, bucketed read cannot go below. The rows are written by the benchmark's set-up in two INSERT … SELECT
/// statements (a month of ended jobs over 1,000 machines in 3 sites and 4 SKUs, with the durations the server writes at a
/// job's first start and end); no ANALYZE, no index the server lacks.</summary>
public static class JobStatsBenchmark
{
    public static async Task RunAsync(IReadOnlyList<string> engines, int jobs)
    {
        Console.WriteLine($"== job statistics benchmark: {jobs:N0} job rows, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        foreach (var engine in engines) await RunEngineAsync(engine, jobs);
    }

    private static async Task RunEngineAsync(string engine, int jobs)
    {
        var data = Directory.CreateTempSubdirectory("ingot-bench-stats-").FullName;
        var database = engine == "postgres" ? await InventoryBenchmark.FreshPostgresAsync("ingot_bench_stats") : null;
        var token = Tokens.Generate();
        await using var app = await ServerHost.BuildAsync(new ServerSettings
        {
            DataDirectory = data, Database = database, Urls = ["http://127.0.0.1:7500"], AdminToken = token, Jobs = new JobOptions { RunWorkers = false },
        }, logging: _ => { });
        await app.StartAsync();
        var client = new IngotClient(new Uri("http://127.0.0.1:7500/"), token);
        await InventoryBenchmark.CatalogAsync(client);
        await client.ImportMachinesAsync(InventoryBenchmark.Csv(0, 1_000));
        var db = app.Services.GetRequiredService<Database>();
        var now = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        // In slices of 100,000: each statement inside the connection's 30-second command timeout.
        for (var from = 1; from <= jobs; from += 100_000)
        {
            var to = Math.Min(jobs, from + 99_999);
            await db.WriteAsync(c => c.ExecuteAsync(Insert(c, from, to, jobs, now)), CancellationToken.None);
        }
        Console.WriteLine($"-- {engine}: {jobs:N0} jobs and {jobs * 2:N0} steps written in {clock.Elapsed.TotalSeconds:F0} s (set-up)");
        // Then ended, in transactions of 1,000 as a busy server's group commits would: first the same UPDATE of every row
        // that the rollup's trigger lets pass (a queued job stays queued), then the real one, which it counts.
        var untriggered = await EndAsync(db, jobs, "'queued'");
        var triggered = await EndAsync(db, jobs, Status.Replace("g.i", "id"));
        Console.WriteLine($"-- {engine}: ended in {triggered.TotalSeconds:F1} s; the same UPDATE without the trigger's work {untriggered.TotalSeconds:F1} s");
        // The server folds the noted endings into its rollups by itself (JobStatsRollup, every 5 s); the benchmark only
        // waits for it, as a user would find it a little later.
        clock.Restart();
        while (await PendingAsync(db) > 0)
            await Task.Delay(100);
        var folded = clock.Elapsed;
        Console.WriteLine($"-- {engine}: the server's fold (running all along) caught up {folded.TotalSeconds:F1} s after the last ending");

        var since = now.AddDays(-31);
        var stats = await client.GetJobStatsAsync(since: since, until: now.AddMinutes(1)); // warm-up
        var apiMs = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            clock.Restart();
            stats = await client.GetJobStatsAsync(since: since, until: now.AddMinutes(1));
            apiMs.Add(clock.Elapsed.TotalMilliseconds);
        }
        var withSteps = await client.GetJobStatsAsync(since: since, until: now.AddMinutes(1), steps: true); // warm-up
        var stepsMs = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            clock.Restart();
            withSteps = await client.GetJobStatsAsync(since: since, until: now.AddMinutes(1), steps: true);
            stepsMs.Add(clock.Elapsed.TotalMilliseconds);
        }
        stepsMs.Sort();
        var floorMs = new List<double>();
        await using (var c = await db.OpenAsync(CancellationToken.None))
            for (var i = 0; i < 5; i++)
            {
                clock.Restart();
                await c.ExecuteScalarAsync<double>(
                    (c.IsPostgres
                        ? "SELECT COUNT(*) + COALESCE(SUM(EXTRACT(EPOCH FROM (ended_at - started_at))), 0) FROM jobs"
                        : "SELECT COUNT(*) + COALESCE(SUM((julianday(ended_at) - julianday(started_at)) * 86400.0), 0) FROM jobs") +
                    " WHERE created_at >= @since", new { since });
                floorMs.Add(clock.Elapsed.TotalMilliseconds);
            }
        await app.StopAsync();
        Directory.Delete(data, true);
        apiMs.Sort();
        floorMs.Sort();
        var counted = stats.Groups.Sum(g => g.Jobs);
        var rows = new (string, string)[]
        {
            ("noting and folding, per job ending ((ending + fold's tail − the bare UPDATE) / jobs)",
                F($"{(triggered + folded - untriggered).TotalMilliseconds * 1000 / jobs:F0} µs")),
            ("jobs counted by the statistics / written", F($"{counted:N0} / {jobs:N0} ({stats.Groups.Count} groups, {stats.Steps.Count} steps)")),
            ("**GET /api/v1/jobs/stats, a month, median of 5 / slowest**", F($"**{apiMs[2]:N0} ms** / {apiMs[^1]:N0} ms")),
            ("one plain pass over the window (COUNT, SUM of durations), median", F($"{floorMs[2]:N0} ms")),
            ("**statistics / plain pass**", F($"**{apiMs[2] / floorMs[2]:F2}×**")),
            ("the same with steps=true, median of 5 / slowest", F($"{stepsMs[2]:N0} ms / {stepsMs[^1]:N0} ms ({withSteps.Steps.Sum(x => x.Runs):N0} steps)")),
        };
        foreach (var (measure, value) in rows) Console.WriteLine($"   {measure,-72} {value}");
    }

    private const string Status = "CASE WHEN g.i % 50 = 0 THEN 'cancelled' WHEN g.i % 12 = 0 THEN 'failed' ELSE 'succeeded' END";

    private static async Task<long> PendingAsync(Database db)
    {
        await using var c = await db.OpenAsync(CancellationToken.None);
        return await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM job_stats_pending");
    }

    private static async Task<TimeSpan> EndAsync(Database db, int jobs, string status)
    {
        var clock = Stopwatch.StartNew();
        for (var from = 1; from <= jobs; from += 1_000)
        {
            var to = Math.Min(jobs, from + 999);
            await db.WriteAsync(c => c.ExecuteAsync($"UPDATE jobs SET status = {status} WHERE id BETWEEN {from} AND {to}"), CancellationToken.None);
        }
        return clock.Elapsed;
    }

    /// <summary>A month of jobs, newest now: 90% succeeded, 8% failed, 2% cancelled, power actions of 5–60 s, over the
    /// 1,000 machines; then two steps per job. Ids are the series' numbers (the table is empty but for these). Written as
    /// the server writes them: queued with their steps here, ended afterwards (when the server's trigger counts a job).</summary>
    private static string Insert(DataContext c, int from, int to, int jobs, DateTimeOffset now)
    {
        var series = c.IsPostgres ? $"generate_series({from}, {to}) AS g(i)" : $"(WITH RECURSIVE n(i) AS (SELECT {from} UNION ALL SELECT i + 1 FROM n WHERE i < {to}) SELECT i FROM n) AS g";
        string At(string secondsBack) => c.IsPostgres
            ? $"(TIMESTAMPTZ '{now.UtcDateTime:yyyy-MM-dd HH:mm:ss}+00' - make_interval(secs => {secondsBack}))"
            : $"(strftime('%Y-%m-%dT%H:%M:%f', '{now.UtcDateTime:yyyy-MM-dd HH:mm:ss}', '-' || ({secondsBack}) || ' seconds') || '000Z')";
        var back = $"(g.i * {2_678_400.0 / jobs}::float)".Replace("::float", c.IsPostgres ? "::float" : "");
        var action = "CASE g.i % 3 WHEN 0 THEN 'power_on' WHEN 1 THEN 'power_off' ELSE 'power_cycle' END";
        var run = "(5 + g.i % 56)";
        const string Empty = "'{}'";
        return $"""
            INSERT INTO jobs (id, action, machine_id, site_id, params, requester, user_name, status, attempt, max_attempts, run_after, fair_rank,
                              created_at, started_at, ended_at, lag_seconds, run_seconds)
            SELECT g.i, {action}, m.id, m.site_id, {Empty}, 'api', 'bench', 'queued', 1, 3, {At(back)}, g.i,
                   {At(back)}, {At($"{back} - 0.5")}, {At($"{back} - 0.5 - {run}")}, 0.5, {run}
            FROM {series} JOIN machines m ON m.id = (SELECT MIN(id) FROM machines) + g.i % 1000;
            INSERT INTO job_steps (job_id, position, name, status, attempt, started_at, ended_at)
            SELECT j.id, p.position, p.name, 'succeeded', 1, j.started_at, j.ended_at
            FROM jobs j CROSS JOIN (SELECT 0 AS position, 'power_off' AS name UNION ALL SELECT 1, 'power_on') p WHERE j.id BETWEEN {from} AND {to};
            """;
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
