using System.Text;
using Dapper;
using Ingot.Client;
using Ingot.Server.Data;

namespace Ingot.Server.Jobs;

/// <summary>Job statistics computed by the database (DESIGN.md §4.6) from histograms: whole hours of the window are read
/// from the rollups (job_stats, job_step_stats: migration 0025, folded by <see cref="JobStatsRollup"/>), and only what
/// they do not hold yet from the jobs themselves, bucketed in the same statement: the window's partial first and last
/// hours, the jobs still queued or running, and those ended but not folded yet. Percentiles are then read off the
/// histograms (as Prometheus's histogram_quantile does), so a window of a million jobs reads a few rows per hour.</summary>
public static class JobStatsQuery
{
    /// <summary>Bucket upper bounds in seconds, the last open: fine where power jobs live, coarse where installs do. The
    /// rollups' columns (r0…r30, l0…l30, b0…b30) are these buckets: changing them needs a migration that rebuilds them.</summary>
    public static readonly double[] Bounds =
        [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 450, 600, 900, 1200, 1800, 2700, 3600, 7200, 14400, 43200, 86400];

    private static readonly int[] Buckets = [.. Enumerable.Range(0, Bounds.Length + 1)];

    private static string Seconds(DataContext c, string from, string to) =>
        c.IsPostgres ? $"EXTRACT(EPOCH FROM ({to} - {from}))" : $"((julianday({to}) - julianday({from})) * 86400.0)";

    /// <summary>The bucket index of a duration expression: 0 for ≤ the first bound … Bounds.Length for beyond the last.</summary>
    private static string Bucket(string seconds)
    {
        var sql = new StringBuilder($"CASE WHEN {seconds} IS NULL THEN NULL");
        for (var i = 0; i < Bounds.Length; i++)
            sql.Append(System.Globalization.CultureInfo.InvariantCulture, $" WHEN {seconds} <= {Bounds[i]} THEN {i}");
        return sql.Append($" ELSE {Bounds.Length} END").ToString();
    }

    /// <summary>Per-bucket counts of a bucket expression, as the rollups' columns: <c>SUM(CASE WHEN rb = 0 …) AS r0, …</c>.</summary>
    private static string Counted(string bucket, string column) =>
        string.Join(", ", Buckets.Select(i => $"SUM(CASE WHEN {bucket} = {i} THEN 1 ELSE 0 END) AS {column}{i}"));

    private static string Columns(string column) => string.Join(", ", Buckets.Select(i => $"{column}{i}"));

    private static string Summed(string column) => string.Join(", ", Buckets.Select(i => $"SUM({column}{i}) AS {column}{i}"));

    /// <summary>The UTC hour a job was queued in, as the rollups key it.</summary>
    private static string Hour(DataContext c) => c.IsPostgres
        ? "(date_trunc('hour', j.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"
        : "(substr(j.created_at, 1, 13) || ':00:00.000000Z')";

    /// <summary>A job's row for the histograms (the durations are its own columns, written at first start and at the
    /// end); ends in <c>WHERE TRUE</c> for conditions on <c>j</c> to follow. <paramref name="jobs"/> is where the jobs
    /// come from (<c>j</c>: the table with a hint, or the table after a driving one).</summary>
    private static string JobRows(DataContext c, string jobs = "jobs j")
    {
        var run = $"COALESCE(j.run_seconds, {Seconds(c, "j.started_at", "j.ended_at")})";
        var lag = $"COALESCE(j.lag_seconds, {Seconds(c, "j.created_at", "j.started_at")})";
        return $"""
            SELECT {Hour(c)} AS hour, j.action, COALESCE(j.site_id, 0) AS site_id, COALESCE(m.sku_id, 0) AS sku_id, j.batch_id IS NOT NULL AS batch, j.status,
                   CASE WHEN j.ended_at IS NOT NULL AND j.started_at IS NOT NULL AND j.status IN ('succeeded', 'failed') THEN {run} END AS run,
                   CASE WHEN j.started_at IS NOT NULL THEN {lag} END AS lag
            FROM {jobs} JOIN machines m ON m.id = j.machine_id WHERE TRUE
            """;
    }

    /// <summary>A succeeded step's row for the histograms; ends in <c>WHERE …</c> for conditions on <c>j</c> to follow.</summary>
    private static string StepRows(DataContext c, string jobs = "jobs j") =>
        $"""
        SELECT {Hour(c)} AS hour, j.action, COALESCE(j.site_id, 0) AS site_id, j.batch_id IS NOT NULL AS batch, st.name,
               {Seconds(c, "st.started_at", "st.ended_at")} AS seconds
        FROM {jobs} JOIN job_steps st ON st.job_id = j.id
        WHERE st.status = 'succeeded' AND st.started_at IS NOT NULL AND st.ended_at IS NOT NULL
        """;

    /// <summary>The larger of a rollup's value and an incoming one, either possibly NULL (GREATEST is PostgreSQL's only).</summary>
    private static string Larger(string table, string column) =>
        $"CASE WHEN {table}.{column} IS NULL OR excluded.{column} > {table}.{column} THEN excluded.{column} ELSE {table}.{column} END";

    private static string Added(string table, string column) =>
        string.Join(", ", Buckets.Select(i => $"{column}{i} = {table}.{column}{i} + excluded.{column}{i}"));

    /// <summary>Adds the ended jobs in <c>@ids</c> to job_stats, grouped as its rows are, bucketed once per job in a
    /// materialized select (flattened, SQLite would repeat each bucket expression in all 31 sums).</summary>
    internal static string FoldJobs(DataContext c) =>
        $"""
        WITH x AS MATERIALIZED ({JobRows(c)} AND {Sql.AnyOf(c, "j.id", "ids")}),
        y AS MATERIALIZED (SELECT x.*, {Bucket("run")} AS rb, {Bucket("lag")} AS lb FROM x)
        INSERT INTO job_stats (hour, action, site_id, sku_id, batch, status, count, {Columns("r")}, {Columns("l")}, max_run, max_lag)
        SELECT hour, action, site_id, sku_id, batch, status, COUNT(*), {Counted("rb", "r")}, {Counted("lb", "l")}, MAX(run), MAX(lag)
        FROM y GROUP BY hour, action, site_id, sku_id, batch, status
        ON CONFLICT (hour, action, site_id, sku_id, batch, status) DO UPDATE SET count = job_stats.count + excluded.count,
            {Added("job_stats", "r")}, {Added("job_stats", "l")},
            max_run = {Larger("job_stats", "max_run")}, max_lag = {Larger("job_stats", "max_lag")}
        """;

    /// <summary>Adds the succeeded steps of the jobs in <c>@ids</c> to job_step_stats.</summary>
    internal static string FoldSteps(DataContext c) =>
        $"""
        WITH x AS MATERIALIZED ({StepRows(c)} AND {Sql.AnyOf(c, "j.id", "ids")}),
        y AS MATERIALIZED (SELECT x.*, {Bucket("seconds")} AS bk FROM x)
        INSERT INTO job_step_stats (hour, action, site_id, batch, name, count, {Columns("b")}, max_seconds)
        SELECT hour, action, site_id, batch, name, COUNT(*), {Counted("bk", "b")}, MAX(seconds)
        FROM y GROUP BY hour, action, site_id, batch, name
        ON CONFLICT (hour, action, site_id, batch, name) DO UPDATE SET count = job_step_stats.count + excluded.count,
            {Added("job_step_stats", "b")}, max_seconds = {Larger("job_step_stats", "max_seconds")}
        """;

    /// <summary>The window's jobs that the rollups do not hold: its partial first and last hours (every job), and in
    /// its whole hours the jobs not ended yet and those ended but not folded yet. One statement with the rollups' read,
    /// so one snapshot: a job folded meanwhile is counted once, on one side or the other. Each slice is led by its
    /// own small set (SQLite, without statistics, would otherwise walk the window by its time index for all four).</summary>
    private static string Slices(DataContext c, Func<string, string> select, string filter) =>
        $"""
        {select("jobs j")} AND j.created_at >= @since AND j.created_at < @h0{filter}
        UNION ALL {select("jobs j")} AND j.created_at >= @h1 AND j.created_at < @until{filter}
        UNION ALL {select("jobs j" + Sql.IndexedBy(c, "jobs_status"))} AND j.status IN ('queued', 'running') AND j.created_at >= @h0 AND j.created_at < @h1{filter}
        UNION ALL {select(Unfolded(c))} AND j.created_at >= @h0 AND j.created_at < @h1{filter}
        """;

    /// <summary>The noted jobs, each looked up by its id: led by the notes, however many the planner believes there are
    /// (after a fold has emptied a large backlog, PostgreSQL's statistics still count it until autovacuum's next look, and
    /// it would hash-join the whole jobs table: 2.9 s against 60 ms over a million jobs).</summary>
    private static string Unfolded(DataContext c) => c.IsPostgres
        ? "job_stats_pending p CROSS JOIN LATERAL (SELECT * FROM jobs WHERE id = p.job_id OFFSET 0) j"
        : "job_stats_pending p CROSS JOIN jobs j ON j.id = p.job_id";

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
        var rows = (await c.QueryAsync<dynamic>(
            $"""
            WITH x AS MATERIALIZED ({Slices(c, from => JobRows(c, from), Filter("j."))}),
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
        var stepRows = (await c.QueryAsync<dynamic>(
            $"""
            WITH x AS MATERIALIZED ({Slices(c, from => StepRows(c, from), Filter("j."))}),
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
