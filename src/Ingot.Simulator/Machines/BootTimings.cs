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

    /// <summary>How long one request is retried, from its first failure, before the machine gives up (and, being a real
    /// installer, would hang until the job's deadline): docs/boot.md's callback retry window, long enough for the only
    /// server to restart (issue 11 A.8: four tries in 3.5 s lost callbacks to every restart).</summary>
    public TimeSpan RetryWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The wait after the first failed try; it doubles after each further one, up to <see cref="RetryBackoffMax"/>.</summary>
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryBackoffMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>One try's limit, so a server that accepts and never answers does not hold a machine forever.</summary>
    public TimeSpan HttpTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public static BootTimings Default { get; } = new();
}
