namespace Ingot.Simulator.Machines;

/// <summary>Totals of one machine's boots, read by tests and the CLI's summary. Thread-safe.</summary>
public sealed class MachineCounters
{
    private long boots, networkBoots, installs, installFailures, wipes, discoveries, hangs, gaveUp;

    /// <summary>Every start: power on, the on of a cycle, a reset.</summary>
    public long Boots => Interlocked.Read(ref boots);
    /// <summary>Boots whose next boot device was PXE (a script was asked for).</summary>
    public long NetworkBoots => Interlocked.Read(ref networkBoots);
    public long InstallsFinished => Interlocked.Read(ref installs);
    public long InstallsFailed => Interlocked.Read(ref installFailures);
    public long Wipes => Interlocked.Read(ref wipes);
    public long Discoveries => Interlocked.Read(ref discoveries);
    public long Hangs => Interlocked.Read(ref hangs);
    public long GaveUp => Interlocked.Read(ref gaveUp);

    internal void Boot(bool network)
    {
        Interlocked.Increment(ref boots);
        if (network) Interlocked.Increment(ref networkBoots);
    }

    internal void Count(BootOutcome outcome)
    {
        switch (outcome)
        {
            case BootOutcome.Installed: Interlocked.Increment(ref installs); break;
            case BootOutcome.InstallFailed: Interlocked.Increment(ref installFailures); break;
            case BootOutcome.Wiped: Interlocked.Increment(ref wipes); break;
            case BootOutcome.Discovered: Interlocked.Increment(ref discoveries); break;
            case BootOutcome.Hung: Interlocked.Increment(ref hangs); break;
            case BootOutcome.GaveUp: Interlocked.Increment(ref gaveUp); break;
        }
    }
}
