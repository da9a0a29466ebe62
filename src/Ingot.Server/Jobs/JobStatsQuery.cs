using System.Text;
using Dapper;
using Ingot.Client;
using Ingot.Server.Data;

namespace Ingot.Server.Jobs;

/// <summary>Job statistics computed by the database (DESIGN.md §4.6): one pass over the window's jobs groups them by
/// action, site, SKU, outcome and a duration bucket, and one over their steps by action, step and bucket; percentiles are
/// then read off those histograms (as Prometheus's histogram_quantile does), so a window of a million jobs sends back a
/// few hundred rows, not a million.</summary>
public static class JobStatsQuery
{
    /// <summary>Bucket upper bounds in seconds, the last open: fine where power jobs live, coarse where installs do.</summary>
    public static readonly double[] Bounds =
        [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 450, 600, 900, 1200, 1800, 2700, 3600, 7200, 14400, 43200, 86400];

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

    private sealed class GroupRow
    {
        public string Action { get; init; } = "";
        public string? Site { get; init; }
        public string? Sku { get; init; }
        public string Status { get; init; } = "";
        public int? RunBucket { get; init; }
        public int? LagBucket { get; init; }
        public long Count { get; init; }
        public double? MaxRun { get; init; }
        public double? MaxLag { get; init; }
    }

    private sealed class StepRow
    {
        public string Action { get; init; } = "";
        public string Name { get; init; } = "";
        public int Bucket { get; init; }
        public long Count { get; init; }
        public double Max { get; init; }
    }

    /// <param name="source">all, batch (jobs of batches) or single (the others).</param>
    /// <param name="withSteps">Also the steps' durations: a second pass, over every step of the window's jobs.</param>
    public static async Task<JobStats> RunAsync(DataContext c, DateTimeOffset since, DateTimeOffset until, string source, string? action, string? site,
                                                bool withSteps)
    {
        var where = new StringBuilder("j.created_at >= @since AND j.created_at < @until");
        if (source == "batch") where.Append(" AND j.batch_id IS NOT NULL");
        if (source == "single") where.Append(" AND j.batch_id IS NULL");
        if (action is not null) where.Append(" AND j.action = @action");
        if (site is not null) where.Append(" AND s.name = @site");
        var args = new DynamicParameters(new { action, site });
        args.Add("since", DapperSetup.Stored(c, since));
        args.Add("until", DapperSetup.Stored(c, until));
        var run = $"COALESCE(j.run_seconds, {Seconds(c, "j.started_at", "j.ended_at")})";
        var lag = $"COALESCE(j.lag_seconds, {Seconds(c, "j.created_at", "j.started_at")})";
        // The durations are the jobs' own columns (written at first start and at the end), read once into a materialized
        // select: a flattened subquery repeats the expression in every WHEN of the buckets (7.9 s against 6.4 s over a
        // million SQLite rows, and 16 s when they were computed from the times).
        var rows = (await c.QueryAsync<GroupRow>(
            $"""
            WITH x AS MATERIALIZED (
                SELECT j.action, s.name AS site, k.name AS sku, j.status,
                       CASE WHEN j.ended_at IS NOT NULL AND j.started_at IS NOT NULL AND j.status IN ('succeeded', 'failed') THEN {run} END AS run,
                       CASE WHEN j.started_at IS NOT NULL THEN {lag} END AS lag
                FROM jobs j JOIN machines m ON m.id = j.machine_id LEFT JOIN sites s ON s.id = j.site_id LEFT JOIN skus k ON k.id = m.sku_id
                WHERE {where})
            SELECT action, site, sku, status, {Bucket("run")} AS run_bucket, {Bucket("lag")} AS lag_bucket, COUNT(*) AS count,
                   MAX(run) AS max_run, MAX(lag) AS max_lag
            FROM x GROUP BY action, site, sku, status, run_bucket, lag_bucket
            """, args)).ToList();
        var groups = rows.GroupBy(r => (r.Action, r.Site, r.Sku)).OrderBy(g => g.Key.Action, StringComparer.Ordinal)
            .ThenBy(g => g.Key.Site, StringComparer.Ordinal).ThenBy(g => g.Key.Sku, StringComparer.Ordinal)
            .Select(g =>
            {
                long Of(string status) => g.Where(r => r.Status == status).Sum(r => r.Count);
                var ended = Of("succeeded") + Of("failed");
                return new JobGroupStats(g.Key.Action, g.Key.Site, g.Key.Sku, g.Sum(r => r.Count), Of("succeeded"), Of("failed"), Of("cancelled"),
                    Of("queued") + Of("running"), ended == 0 ? 0 : (double)Of("succeeded") / ended,
                    FromHistogram(g.Where(r => r.RunBucket is not null).GroupBy(r => r.RunBucket!.Value).ToDictionary(b => b.Key, b => b.Sum(r => r.Count)),
                        g.Max(r => r.MaxRun)),
                    FromHistogram(g.Where(r => r.LagBucket is not null).GroupBy(r => r.LagBucket!.Value).ToDictionary(b => b.Key, b => b.Sum(r => r.Count)),
                        g.Max(r => r.MaxLag)));
            }).ToList();

        if (!withSteps) return new JobStats(since, until, source, groups, []);
        var stepSeconds = Seconds(c, "st.started_at", "st.ended_at");
        var steps = (await c.QueryAsync<StepRow>(
            $"""
            WITH x AS MATERIALIZED (
                SELECT j.action, st.name, {stepSeconds} AS seconds
                FROM jobs j JOIN job_steps st ON st.job_id = j.id LEFT JOIN sites s ON s.id = j.site_id
                WHERE {where} AND st.status = 'succeeded' AND st.started_at IS NOT NULL AND st.ended_at IS NOT NULL)
            SELECT action, name, {Bucket("seconds")} AS bucket, COUNT(*) AS count, MAX(seconds) AS max FROM x GROUP BY action, name, bucket
            """, args)).ToList();
        var stepStats = steps.GroupBy(r => (r.Action, r.Name)).OrderBy(g => g.Key.Action, StringComparer.Ordinal).ThenBy(g => g.Key.Name, StringComparer.Ordinal)
            .Select(g => new StepDurationStats(g.Key.Action, g.Key.Name, g.Sum(r => r.Count), FromHistogram(g.ToDictionary(r => r.Bucket, r => r.Count), g.Max(r => r.Max))))
            .ToList();
        return new JobStats(since, until, source, groups, stepStats);
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
