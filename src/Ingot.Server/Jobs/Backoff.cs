namespace Ingot.Server.Jobs;

/// <summary>Exponential backoff with jitter: attempt n (from 0) waits <c>min(cap, first × 2ⁿ)</c>, scaled by a
/// random factor in [1 − jitter, 1]. Jitter spreads the retries of many jobs that failed together (a switch
/// reboot, a site-wide BMC hiccup) so they do not all come back in the same second; it only ever shortens a
/// delay, so the cap holds.</summary>
public sealed record Backoff(TimeSpan First, TimeSpan Cap, double Jitter = 0.5)
{
    /// <summary>The delay before retry number <paramref name="attempt"/> (0 = the first retry).</summary>
    /// <param name="random">A value in [0, 1); from <see cref="Random.Shared"/> when not given.</param>
    public TimeSpan Delay(int attempt, double? random = null)
    {
        var exponent = Math.Clamp(attempt, 0, 30);
        var full = Math.Min(Cap.TotalMilliseconds, First.TotalMilliseconds * Math.Pow(2, exponent));
        var r = random ?? Random.Shared.NextDouble();
        return TimeSpan.FromMilliseconds(full * (1 - Jitter * r));
    }
}
