namespace Ingot.Simulator.Machines;

/// <summary>Which machines of a fleet misbehave, as percentages of it. The choice is a seeded shuffle, so
/// the same seed picks the same machines on every run (a demo or a bug can be repeated) and exactly the given
/// share of the fleet misbehaves, not roughly.</summary>
public sealed record FleetFaults
{
    /// <summary>Percentage (0..100) of machines whose installer posts 'failed'.</summary>
    public double FailPercent { get; init; }

    /// <summary>Percentage of machines whose installer posts 'started' and then hangs.</summary>
    public double HangPercent { get; init; }

    /// <summary>Percentage of machines whose BMC has <see cref="FlakyBmc"/>'s faults.</summary>
    public double FlakyBmcPercent { get; init; }

    /// <summary>What a flaky BMC does: by default it drops a third of the packets, which retries survive.</summary>
    public BmcFaults FlakyBmc { get; init; } = new() { DropRate = 0.3 };

    public int Seed { get; init; } = 1;

    public static FleetFaults None { get; } = new();

    /// <summary>The faults of each of <paramref name="count"/> machines and of its BMC, in fleet order.</summary>
    public IReadOnlyList<(MachineFaults Machine, BmcFaults Bmc)> Assign(int count)
    {
        // A shuffle per kind, each from its own seed: changing one percentage does not move the others.
        var fails = Pick(count, FailPercent, Seed);
        var hangs = Pick(count, HangPercent, Seed + 1);
        var flaky = Pick(count, FlakyBmcPercent, Seed + 2);
        return [.. Enumerable.Range(0, count).Select(i => (
            fails.Contains(i) || hangs.Contains(i)
                ? new MachineFaults { InstallerFails = fails.Contains(i), InstallerHangs = hangs.Contains(i) }
                : MachineFaults.None,
            flaky.Contains(i) ? FlakyBmc : BmcFaults.None))];
    }

    private static HashSet<int> Pick(int count, double percent, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percent, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        var indexes = Enumerable.Range(0, count).ToArray();
        new Random(seed).Shuffle(indexes); // a seeded Random gives the same sequence on every run and platform
        return [.. indexes.Take((int)Math.Round(count * percent / 100, MidpointRounding.AwayFromZero))];
    }
}
