namespace Ingot.Server.Tests.Infrastructure;

/// <summary>A clock that moves only when a test says so, for leases, backoff and circuit breakers without sleeping.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset now = start;

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by) => now += by;
}
