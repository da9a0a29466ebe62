namespace Ingot.Simulator.Machines;

/// <summary>How long the simulated images take, and how stubborn their HTTP is. Defaults are a demo's pace;
/// tests shrink them to milliseconds.</summary>
public sealed record BootTimings
{
    /// <summary>From an installer's start to its 'finished' (or 'failed').</summary>
    public TimeSpan Install { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>From a wipe image's start to its 'finished'.</summary>
    public TimeSpan Wipe { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>A discovery image's inventory of the hardware, before it posts the report.</summary>
    public TimeSpan Discover { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The steps an installer reports as progress, evenly through <see cref="Install"/>.</summary>
    public IReadOnlyList<string> InstallSteps { get; init; } = ["partitioning", "copying image", "installing bootloader", "configuring"];

    /// <summary>The steps a wipe image reports.</summary>
    public IReadOnlyList<string> WipeSteps { get; init; } = ["erasing disks", "verifying"];

    /// <summary>Tries of one request before the machine gives up (and, being a real installer, would hang).</summary>
    public int HttpAttempts { get; init; } = 4;

    /// <summary>The wait after the first failed try; it doubles after each further one.</summary>
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>One try's limit, so a server that accepts and never answers does not hold a machine forever.</summary>
    public TimeSpan HttpTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public static BootTimings Default { get; } = new();
}
