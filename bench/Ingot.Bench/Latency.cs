using System.Diagnostics;
using System.Globalization;

namespace Ingot.Bench;

/// <summary>Latencies of sequential calls, in milliseconds, after a short warm-up.</summary>
public sealed record Latency(double P50, double P99, double Max, int Count, double P95 = 0)
{
    public static async Task<Latency> MeasureAsync(int count, Func<int, Task> call)
    {
        for (var i = 0; i < Math.Min(50, count); i++) await call(i);
        var samples = new double[count];
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await call(i);
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(samples);
        return new Latency(samples[count / 2], samples[(int)Math.Ceiling(count * 0.99) - 1], samples[^1], count, samples[(int)Math.Ceiling(count * 0.95) - 1]);
    }

    /// <summary>Two calls measured in turn, one of each per round, so that the same disturbances fall on both.</summary>
    public static async Task<(Latency A, Latency B)> PairAsync(int count, Func<int, Task> a, Func<int, Task> b)
    {
        for (var i = 0; i < Math.Min(50, count); i++) { await a(i); await b(i); }
        var (sa, sb) = (new double[count], new double[count]);
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await a(i);
            sa[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            start = Stopwatch.GetTimestamp();
            await b(i);
            sb[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        return (Of(sa), Of(sb));
    }

    public static Latency Of(double[] samples)
    {
        Array.Sort(samples);
        var n = samples.Length;
        return new Latency(samples[n / 2], samples[(int)Math.Ceiling(n * 0.99) - 1], samples[^1], n, samples[(int)Math.Ceiling(n * 0.95) - 1]);
    }

    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"p50 {P50:F2} ms, p99 {P99:F2} ms (n={Count})");
}
