namespace Ingot.Simulator.Machines;

/// <summary>Misbehaviour of the images a simulated machine boots (install and wipe alike). The BMC's own
/// faults are <see cref="BmcFaults"/>, on the machine's <see cref="SimulatedBmc"/>.</summary>
public sealed record MachineFaults
{
    /// <summary>The image posts 'started' and some progress, then 'failed' with <see cref="FailureMessage"/>.</summary>
    public bool InstallerFails { get; init; }

    /// <summary>The image posts 'started', then nothing ever again: the case a job's deadline must catch.</summary>
    public bool InstallerHangs { get; init; }

    public string FailureMessage { get; init; } = "no disk found";

    public static MachineFaults None { get; } = new();
}
