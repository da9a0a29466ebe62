using System.Text;
using Dapper;
using Ingot.Client;
using Ingot.Server.Data;

namespace Ingot.Server.Jobs;

/// <summary>Job statistics computed by the database (DESIGN.md §4.6) from histograms: whole hours of the window are read
/// from the rollups kept as jobs end (job_stats, job_step_stats: migration 0025, a trigger in the ending's transaction),
/// and only the window's partial hours at either edge, and the jobs still queued or running, from the jobs themselves,
/// bucketed in the same statement. Percentiles are then read off the histograms (as Prometheus's histogram_quantile
/// does), so a window of a million jobs reads a few rows per hour, not a million.</summary>
public static class JobStatsQuery
{
    /// <summary>Bucket upper bounds in seconds, the last open: fine where power jobs live, coarse where installs do. The
    /// rollup's columns (r0…r30, l0…l30, b0…b30) are these buckets: changing them needs a migration that rebuilds it.</summary>
    public static readonly double[] Bounds =
        [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 450, 600, 900, 1200, 1800, 2700, 3600, 7200, 14400, 43200, 86400];

    private static readonly int[] Buckets = [.. Enumerable.Range(0, Bounds.Length + 1)];

    private static string Seconds(DataContext c, string from, string to) =>
        c.IsPostgres ? $"EXTRACT(EPOCH FROM ({to} - {from}))" : $"((julianday({to}) - julianday({from})) * 86400.0)";

    /// <summary>The bucket index of a duration expression: 0 for ≤ the first bound … Bounds.Length for beyond the last.
    /// The rollup's trigger holds the same text (a test compares them).</summary>
    internal static string Bucket(string seconds)
    {
        var sql = new StringBuilder($"CASE WHEN {seconds} IS NULL THEN NULL");
        for (var i = 0; i < Bounds.Length; i++)
            sql.Append(System.Globalization.CultureInfo.InvariantCulture, $" WHEN {seconds} <= {Bounds[i]} THEN {i}");
        return sql.Append($" ELSE {Bounds.Length} END").ToString();
    }

    /// <summary>Per-bucket counts of a bucket expression, as the rollup's columns: <c>SUM(CASE WHEN rb = 0 …) AS r0, …</c>.</summary>
    private static string Counted(string bucket, string column) =>
        string.Join(", ", Buckets.Select(i => $"SUM(CASE WHEN {bucket} = {i} THEN 1 ELSE 0 END) AS {column}{i}"));

    private static string Summed(string column) => string.Join(", ", Buckets.Select(i => $"SUM({column}{i}) AS {column}{i}"));

    /// <summary>The window's slices that the rollup does not hold: its partial first and last hours (every job), and the
    /// jobs of its whole hours that have not ended yet. One statement, so one snapshot: a job that ends meanwhile is
    /// counted once, on one side or the other.</summary>
    private static string Slices(string select, string filter) =>
        $"""
        {select} AND j.created_at >= @since AND j.created_at < @h0{filter}
        UNION ALL {select} AND j.created_at >= @h1 AND j.created_at < @until{filter}
        UNION ALL {select} AND j.status IN ('queued', 'running') AND j.created_at >= @h0 AND j.created_at < @h1{filter}
        """;

    private static DateTimeOffset FloorHour(DateTimeOffset t)
    {
        var utc = t.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }

    /// <param name="source">all, batch (jobs of batches) or single (the others).</param>
    /// <param name="withSteps">Also the steps' durations.</param>
    public static async Task<JobStats> RunAsync(DataContext c, DateTimeOffset since, DateTimeOffset until, string source, string? action, string? site,
                                                bool withSteps)
    {
        // Whole hours [h0, h1) from the rollup; when the window holds none, all of it from the jobs.
        var h0 = FloorHour(since) == since ? since : FloorHour(since).AddHours(1);
        var h1 = FloorHour(until);
        if (h1 <= h0) h0 = h1 = until;
        // The same conditions on the jobs ("j.") and on the rollups (""), which keep batch-or-single as a flag.
        string Filter(string jobs)
        {
            var f = new StringBuilder();
            if (source == "batch") f.Append(jobs.Length > 0 ? $" AND {jobs}batch_id IS NOT NULL" : " AND batch = TRUE");
            if (source == "single") f.Append(jobs.Length > 0 ? $" AND {jobs}batch_id IS NULL" : " AND batch = FALSE");
            if (action is not null) f.Append($" AND {jobs}action = @action");
            if (site is not null) f.Append($" AND {jobs}site_id = (SELECT id FROM sites WHERE name = @site)");
            return f.ToString();
        }
        var args = new DynamicParameters(new { action, site });
        args.Add("since", DapperSetup.Stored(c, since));
        args.Add("until", DapperSetup.Stored(c, until));
        args.Add("h0", DapperSetup.Stored(c, h0));
        args.Add("h1", DapperSetup.Stored(c, h1));
        var run = $"COALESCE(j.run_seconds, {Seconds(c, "j.started_at", "j.ended_at")})";
        var lag = $"COALESCE(j.lag_seconds, {Seconds(c, "j.created_at", "j.started_at")})";
        // Durations are the jobs' own columns (written at first start and at the end), bucketed once in a materialized
        // select: flattened, SQLite would repeat each bucket expression in all 31 sums.
        var jobs = $"""
            SELECT j.action, COALESCE(j.site_id, 0) AS site_id, COALESCE(m.sku_id, 0) AS sku_id, j.status,
                   CASE WHEN j.ended_at IS NOT NULL AND j.started_at IS NOT NULL AND j.status IN ('succeeded', 'failed') THEN {run} END AS run,
                   CASE WHEN j.started_at IS NOT NULL THEN {lag} END AS lag
            FROM jobs j JOIN machines m ON m.id = j.machine_id WHERE TRUE
            """;
        var rows = (await c.QueryAsync<dynamic>(
            $"""
            WITH x AS MATERIALIZED ({Slices(jobs, Filter("j."))}),
            y AS MATERIALIZED (SELECT x.*, {Bucket("run")} AS rb, {Bucket("lag")} AS lb FROM x),
            u AS (
                SELECT action, site_id, sku_id, status, COUNT(*) AS count, {Counted("rb", "r")}, {Counted("lb", "l")}, MAX(run) AS max_run, MAX(lag) AS max_lag
                FROM y GROUP BY action, site_id, sku_id, status
                UNION ALL
                SELECT action, site_id, sku_id, status, SUM(count) AS count, {Summed("r")}, {Summed("l")}, MAX(max_run) AS max_run, MAX(max_lag) AS max_lag
                FROM job_stats WHERE hour >= @h0 AND hour < @h1{Filter("")} GROUP BY action, site_id, sku_id, status)
            SELECT u.*, s.name AS site, k.name AS sku FROM u LEFT JOIN sites s ON s.id = u.site_id LEFT JOIN skus k ON k.id = u.sku_id
            """, args)).Cast<IDictionary<string, object?>>().ToList();
        var groups = rows.GroupBy(r => (Action: (string)r["action"]!, Site: r["site"] as string, Sku: r["sku"] as string))
            .OrderBy(g => g.Key.Action, StringComparer.Ordinal).ThenBy(g => g.Key.Site, StringComparer.Ordinal).ThenBy(g => g.Key.Sku, StringComparer.Ordinal)
            .Select(g =>
            {
                long Of(string status) => g.Where(r => (string)r["status"]! == status).Sum(r => Long(r["count"]));
                var ended = Of("succeeded") + Of("failed");
                return new JobGroupStats(g.Key.Action, g.Key.Site, g.Key.Sku, g.Sum(r => Long(r["count"])), Of("succeeded"), Of("failed"), Of("cancelled"),
                    Of("queued") + Of("running"), ended == 0 ? 0 : (double)Of("succeeded") / ended,
                    FromHistogram(Histogram(g, "r"), Max(g, "max_run")), FromHistogram(Histogram(g, "l"), Max(g, "max_lag")));
            }).ToList();

        if (!withSteps) return new JobStats(since, until, source, groups, []);
        var steps = $"""
            SELECT j.action, st.name, {Seconds(c, "st.started_at", "st.ended_at")} AS seconds
            FROM jobs j JOIN job_steps st ON st.job_id = j.id
            WHERE st.status = 'succeeded' AND st.started_at IS NOT NULL AND st.ended_at IS NOT NULL
            """;
        var stepRows = (await c.QueryAsync<dynamic>(
            $"""
            WITH x AS MATERIALIZED ({Slices(steps, Filter("j."))}),
            y AS MATERIALIZED (SELECT x.*, {Bucket("seconds")} AS bk FROM x)
            SELECT action, name, COUNT(*) AS count, {Counted("bk", "b")}, MAX(seconds) AS max_seconds FROM y GROUP BY action, name
            UNION ALL
            SELECT action, name, SUM(count) AS count, {Summed("b")}, MAX(max_seconds) AS max_seconds
            FROM job_step_stats WHERE hour >= @h0 AND hour < @h1{Filter("")} GROUP BY action, name
            """, args)).Cast<IDictionary<string, object?>>().ToList();
        var stepStats = stepRows.GroupBy(r => (Action: (string)r["action"]!, Name: (string)r["name"]!))
            .OrderBy(g => g.Key.Action, StringComparer.Ordinal).ThenBy(g => g.Key.Name, StringComparer.Ordinal)
            .Select(g => new StepDurationStats(g.Key.Action, g.Key.Name, g.Sum(r => Long(r["count"])), FromHistogram(Histogram(g, "b"), Max(g, "max_seconds"))))
            .ToList();
        return new JobStats(since, until, source, groups, stepStats);
    }

    private static long Long(object? value) => value is null ? 0 : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);

    private static double? Max(IEnumerable<IDictionary<string, object?>> rows, string column) =>
        rows.Select(r => r[column]).Where(v => v is not null).Select(v => (double?)Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture)).Max();

    private static Dictionary<int, long> Histogram(IEnumerable<IDictionary<string, object?>> rows, string column)
    {
        var counts = new Dictionary<int, long>();
        foreach (var row in rows)
            foreach (var b in Buckets)
                if (Long(row[$"{column}{b}"]) is var n and > 0)
                    counts[b] = counts.GetValueOrDefault(b) + n;
        return counts;
    }

    /// <summary>p50 and p95 from bucket counts, linear within the bucket (never above the exact max); null when empty.</summary>
    public static Percentiles? FromHistogram(IReadOnlyDictionary<int, long> counts, double? max)
    {
        var total = counts.Values.Sum();
        if (total == 0 || max is null) return null;
        double Quantile(double q)
        {
            var rank = q * total;
            long seen = 0;
            for (var b = 0; b <= Bounds.Length; b++)
            {
                var n = counts.GetValueOrDefault(b);
                if (n == 0) continue;
                if (seen + n >= rank)
                {
                    var low = b == 0 ? 0 : Bounds[b - 1];
                    var high = b < Bounds.Length ? Bounds[b] : max.Value;
                    return Math.Min(max.Value, low + (high - low) * ((rank - seen) / n));
                }
                seen += n;
            }
            return max.Value;
        }
        return new Percentiles(Quantile(0.5), Quantile(0.95), max.Value);
    }
}
