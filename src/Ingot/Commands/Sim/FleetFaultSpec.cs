using System.Globalization;
using Ingot.Simulator.Machines;

namespace Ingot.Commands.Sim;

/// <summary>Parses `ingot sim fleet --faults fail=10%,hang=5%,flaky-bmc=20%,drop=0.3,seed=7`: which share of the
/// machines misbehaves, and how.</summary>
internal static class FleetFaultSpec
{
    public const string Syntax = "fail=PERCENT,hang=PERCENT,flaky-bmc=PERCENT,drop=RATE,seed=N";

    public static FleetFaults Parse(string spec)
    {
        var faults = new FleetFaults();
        foreach (var part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (name, value) = part.IndexOf('=') is var eq and >= 0 ? (part[..eq], part[(eq + 1)..]) : (part, null);
            faults = (name, value) switch
            {
                ("fail", { } percent) => faults with { FailPercent = Percent(name, percent) },
                ("hang", { } percent) => faults with { HangPercent = Percent(name, percent) },
                ("flaky-bmc", { } percent) => faults with { FlakyBmcPercent = Percent(name, percent) },
                ("drop", { } rate) => faults with { FlakyBmc = faults.FlakyBmc with { DropRate = Rate(rate) } },
                ("seed", { } seed) => faults with { Seed = Seed(seed) },
                _ => throw new UsageException($"Unknown fault '{part}' in --faults; the syntax is {Syntax}."),
            };
        }
        return faults;
    }

    public static string Describe(MachineFaults machine, Ingot.Simulator.BmcFaults bmc)
    {
        var parts = new List<string>();
        if (machine.InstallerHangs) parts.Add("installer hangs");
        else if (machine.InstallerFails) parts.Add("installer fails");
        if (bmc != Ingot.Simulator.BmcFaults.None) parts.Add("BMC " + FaultSpec.Describe(bmc));
        return parts.Count == 0 ? "-" : string.Join(", ", parts);
    }

    private static double Percent(string name, string text) =>
        double.TryParse(text.TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out var percent) && percent is >= 0 and <= 100
            ? percent : throw new UsageException($"{name}={text}: give a percentage of the machines from 0 to 100, such as 10%.");

    private static double Rate(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate is >= 0 and <= 1
            ? rate : throw new UsageException($"drop={text}: the drop rate is a fraction from 0 to 1, such as 0.3.");

    private static int Seed(string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
            ? seed : throw new UsageException($"seed={text}: give a whole number.");
}
