namespace Ingot.Simulator.Machines;

/// <summary>One thing a simulated machine did, as a line a person reads.</summary>
public sealed record MachineLogEntry(DateTimeOffset At, string Machine, string Text)
{
    public override string ToString() => $"{At:HH:mm:ss.fff} {Machine} {Text}";
}

/// <summary>What one machine did, newest last, for tests and the CLI. Keeps the last <see cref="Capacity"/>
/// entries so a fleet running for days does not grow without bound.</summary>
public sealed class MachineLog(string machine, TimeProvider clock)
{
    public const int Capacity = 500;

    private readonly Lock gate = new();
    private readonly Queue<MachineLogEntry> entries = new();

    /// <summary>Raised for every entry, on the thread that wrote it (the CLI prints them as they happen).</summary>
    public event Action<MachineLogEntry>? Written;

    public IReadOnlyList<MachineLogEntry> Entries { get { lock (gate) return [.. entries]; } }

    public void Write(string text)
    {
        var entry = new MachineLogEntry(clock.GetUtcNow(), machine, text);
        lock (gate)
        {
            entries.Enqueue(entry);
            if (entries.Count > Capacity) entries.Dequeue();
        }
        Written?.Invoke(entry);
    }
}
