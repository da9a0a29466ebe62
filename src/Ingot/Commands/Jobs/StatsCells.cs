using Ingot.Client;

namespace Ingot.Commands.Jobs;

/// <summary>How the statistics commands (`jobs stats`, `batch stats`) print a rate and a duration's percentiles.</summary>
internal static class StatsCells
{
    /// <summary>"66%", rounded down as `batch list` rounds, so "100%" means no job failed; "-" while no job has ended,
    /// where the server's 0 would read as every job failing.</summary>
    public static string? Rate(double rate, long ended) =>
        ended == 0 ? null : $"{(long)Math.Floor(rate * 100 + 1e-9)}%"; // the epsilon keeps 0.29 * 100 = 28.999… at 29%

    /// <summary>p50, p95 and max as durations; "-" each when nothing was measured.</summary>
    public static object?[] Seconds(Percentiles? p) =>
        p is null ? [null, null, null] : [Time(p.P50), Time(p.P95), Time(p.Max)];

    private static string Time(double seconds) => JobTable.Duration(TimeSpan.FromSeconds(seconds));
}
