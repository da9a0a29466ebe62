using Ingot.Client;
using Ingot.Server.Data;

namespace Ingot.Server.Batches;

/// <summary>What batches did over a window (DESIGN.md §4.6: success rates, durations and lags are queries over the
/// recorded steps). Computed in memory over the window's jobs, which the <c>since</c> bound keeps small.</summary>
public static class BatchStatsQuery
{
    private sealed class JobRow
    {
        public long Id { get; init; }
        public long BatchId { get; init; }
        public string Action { get; init; } = "";
        public string Status { get; init; } = "";
        public string? Sku { get; init; }
        public DateTimeOffset? StartedAt { get; init; }
        public DateTimeOffset? EndedAt { get; init; }
    }

    private sealed class StepRow
    {
        public long JobId { get; init; }
        public string Name { get; init; } = "";
        public DateTimeOffset StartedAt { get; init; }
        public DateTimeOffset EndedAt { get; init; }
    }

    public static async Task<BatchStats> RunAsync(DataContext c, DateTimeOffset since)
    {
        var args = new { since = DapperSetup.Stored(c, since) };
        var jobs = (await c.QueryAsync<JobRow>(
            """
            SELECT j.id, j.batch_id, j.action, j.status, k.name AS sku, j.started_at, j.ended_at
            FROM batches b JOIN jobs j ON j.batch_id = b.id JOIN machines m ON m.id = j.machine_id LEFT JOIN skus k ON k.id = m.sku_id
            WHERE b.created_at >= @since
            """, args)).ToList();
        var steps = (await c.QueryAsync<StepRow>(
            """
            SELECT s.job_id, s.name, s.started_at, s.ended_at
            FROM batches b JOIN jobs j ON j.batch_id = b.id JOIN job_steps s ON s.job_id = j.id
            WHERE b.created_at >= @since AND s.status = 'succeeded' AND s.started_at IS NOT NULL AND s.ended_at IS NOT NULL
            """, args)).ToLookup(s => s.JobId);
        var accepted = (await c.QueryAsync<(long Id, DateTimeOffset CreatedAt)>("SELECT id, created_at FROM batches WHERE created_at >= @since", args))
            .ToDictionary(b => b.Id, b => b.CreatedAt);
        var actions = jobs.GroupBy(j => j.Action).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var ended = g.Where(j => j.Status is "succeeded" or "failed").ToList();
            var runtimes = ended.Where(j => j is { StartedAt: not null, EndedAt: not null }).Select(j => (j.EndedAt!.Value - j.StartedAt!.Value).TotalSeconds).ToList();
            var lags = g.GroupBy(j => j.BatchId).Select(b => b.Min(j => j.StartedAt) is { } first ? (first - accepted[b.Key]).TotalSeconds : (double?)null)
                .OfType<double>().ToList();
            var skus = g.GroupBy(j => j.Sku).OrderBy(s => s.Key, StringComparer.Ordinal)
                .Select(s => new SkuStats(s.Key, s.Count(), Rate(s.Where(j => j.Status is "succeeded" or "failed").ToList()))).ToList();
            var stepStats = g.SelectMany(j => steps[j.Id]).GroupBy(s => s.Name).OrderBy(s => s.Key, StringComparer.Ordinal)
                .Select(s => new StepStats(s.Key, s.Count(), Of([.. s.Select(x => (x.EndedAt - x.StartedAt).TotalSeconds)])!)).ToList();
            return new ActionStats(g.Key, g.Count(), ended.Count, Rate(ended), Of(runtimes), skus, stepStats, Of(lags));
        }).ToList();
        return new BatchStats(since, actions);
    }

    private static double Rate(IReadOnlyList<JobRow> ended) => ended.Count == 0 ? 0 : (double)ended.Count(j => j.Status == "succeeded") / ended.Count;

    /// <summary>Nearest-rank percentiles; null for no values.</summary>
    public static Percentiles? Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return null;
        var sorted = values.Order().ToArray();
        double Rank(double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];
        return new Percentiles(Rank(0.50), Rank(0.95), sorted[^1]);
    }
}
