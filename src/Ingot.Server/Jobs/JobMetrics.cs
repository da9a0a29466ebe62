using System.Diagnostics.Metrics;

namespace Ingot.Server.Jobs;

/// <summary>The broker's instruments (System.Diagnostics.Metrics; /metrics exports them, docs/metrics.md): jobs ended by
/// action, site, SKU and outcome, step durations, and the wait from queued to first started. Counted by the node that
/// did the work; Prometheus sums the nodes.</summary>
public static class JobMetrics
{
    public static readonly Meter Meter = new("Ingot.Jobs");

    private static readonly Counter<long> Ended = Meter.CreateCounter<long>("ingot.jobs.ended", description: "Jobs that ended, by action, site, SKU and outcome.");

    private static readonly Histogram<double> StepDuration = Meter.CreateHistogram<double>("ingot.job.step.duration", unit: "s",
        description: "Time a job step ran on a worker (a waiting step's wait for its image is not in it), by action, step and outcome.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] });

    private static readonly Histogram<double> QueueLag = Meter.CreateHistogram<double>("ingot.job.queue.lag", unit: "s",
        description: "From a job's queueing to its first start, by action.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800] });

    public static void JobEnded(string action, string? site, string? sku, string outcome) =>
        Ended.Add(1, new("action", action), new("site", site ?? ""), new("sku", sku ?? ""), new("outcome", outcome));

    public static void StepRan(string action, string step, string outcome, TimeSpan took) =>
        StepDuration.Record(took.TotalSeconds, new("action", action), new("step", step), new("outcome", outcome));

    public static void Started(string action, TimeSpan waited) => QueueLag.Record(Math.Max(0, waited.TotalSeconds), new KeyValuePair<string, object?>("action", action));
}
