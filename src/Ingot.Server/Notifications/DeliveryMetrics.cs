using System.Diagnostics.Metrics;

namespace Ingot.Server.Notifications;

/// <summary>Deliveries' instruments (docs/metrics.md): attempts by channel and outcome, and how long after its event a
/// delivery was made (the fan-out benchmark's figure).</summary>
public static class DeliveryMetrics
{
    public static readonly Meter Meter = new("Ingot.Notifications");

    private static readonly Counter<long> Attempts = Meter.CreateCounter<long>("ingot.deliveries", description: "Delivery attempts, by channel and outcome (delivered, failed, dead).");

    private static readonly Histogram<double> Latency = Meter.CreateHistogram<double>("ingot.delivery.latency", unit: "s",
        description: "From an event's commit time to its delivery, by channel.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300] });

    public static void Attempted(string channel, string outcome) =>
        Attempts.Add(1, new("channel", channel), new("outcome", outcome));

    public static void Delivered(string channel, TimeSpan afterEvent) =>
        Latency.Record(Math.Max(0, afterEvent.TotalSeconds), new KeyValuePair<string, object?>("channel", channel));
}
