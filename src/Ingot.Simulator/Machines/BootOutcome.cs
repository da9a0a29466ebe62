namespace Ingot.Simulator.Machines;

/// <summary>How one boot of a simulated machine ended.</summary>
public enum BootOutcome
{
    /// <summary>The next boot was not the network (disk, none, BIOS setup): nothing was fetched.</summary>
    NotNetwork,
    /// <summary>The script said local: the machine booted its disk.</summary>
    Local,
    Installed,
    InstallFailed,
    Wiped,
    WipeFailed,
    Discovered,
    /// <summary>The installer hangs after 'started' (the hang fault).</summary>
    Hung,
    /// <summary>A request kept failing (or was refused) until the machine gave up; a real one would sit there.</summary>
    GaveUp,
    /// <summary>The script was not one docs/boot.md describes.</summary>
    BadScript,
    /// <summary>Power went off, or the machine was reset, before the boot ended.</summary>
    Interrupted,
}
