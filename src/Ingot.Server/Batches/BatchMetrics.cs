using System.Diagnostics.Metrics;

namespace Ingot.Server.Batches;

/// <summary>Batches' instruments (docs/metrics.md): how long acceptance took (checks, precheck, the jobs written), and
/// how many hosts were accepted, by action.</summary>
public static class BatchMetrics
{
    public static readonly Meter Meter = new("Ingot.Batches");

    private static readonly Histogram<double> Acceptance = Meter.CreateHistogram<double>("ingot.batch.acceptance.duration", unit: "s",
        description: "From a batch's submission to its acceptance, by action.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    private static readonly Counter<long> Hosts = Meter.CreateCounter<long>("ingot.batch.hosts", description: "Hosts of accepted batches, by action.");

    public static void Accepted(string action, int hosts, TimeSpan took)
    {
        Acceptance.Record(took.TotalSeconds, new KeyValuePair<string, object?>("action", action));
        Hosts.Add(hosts, new KeyValuePair<string, object?>("action", action));
    }
}
