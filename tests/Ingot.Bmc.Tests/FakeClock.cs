namespace Ingot.Bmc.Tests;

/// <summary>A TimeProvider whose time moves only when someone waits on it: every timer advances the clock
/// by its due time and fires at once (on the thread pool, as a real timer would). Tests of deadlines
/// and poll spacing therefore run in microseconds and never sleep. Records each wait.</summary>
public sealed class FakeClock : TimeProvider
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly Lock gate = new();
    private readonly List<TimeSpan> waits = [];
    private long ticks;

    public IReadOnlyList<TimeSpan> Waits { get { lock (gate) return [.. waits]; } }

    public TimeSpan Elapsed => TimeSpan.FromTicks(Interlocked.Read(ref ticks));

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref ticks);

    public override DateTimeOffset GetUtcNow() => Start + Elapsed;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime == Timeout.InfiniteTimeSpan) return new FiredTimer();
        lock (gate) waits.Add(dueTime);
        Interlocked.Add(ref ticks, dueTime.Ticks);
        ThreadPool.QueueUserWorkItem(_ => callback(state));
        return new FiredTimer();
    }

    private sealed class FiredTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => false;
        public void Dispose() { }
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
