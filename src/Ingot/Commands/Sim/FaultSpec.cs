using System.Globalization;
using Ingot.Simulator;

namespace Ingot.Commands.Sim;

/// <summary>Parses `--faults drop=0.2,latency=50ms,unreachable,wrong-credentials,garbage,ignore-power`
/// and decides which BMCs of a fleet get faults (`--faulty-percent`).</summary>
internal static class FaultSpec
{
    public const string Syntax = "drop=RATE,latency=DURATION,unreachable,wrong-credentials,garbage,ignore-power";

    /// <summary>One fault each, in turn, for the faulty BMCs when no --faults is given: a mixed fleet.</summary>
    private static readonly BmcFaults[] Mix =
    [
        new() { DropRate = 0.3 },
        new() { Latency = TimeSpan.FromMilliseconds(200) },
        new() { Unreachable = true },
        new() { WrongCredentials = true },
        new() { GarbageReplies = true },
        new() { IgnorePowerCommands = true },
    ];

    public static BmcFaults Parse(string spec)
    {
        var faults = new BmcFaults();
        foreach (var part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (name, value) = part.IndexOf('=') is var eq and >= 0 ? (part[..eq], part[(eq + 1)..]) : (part, null);
            faults = (name, value) switch
            {
                ("drop", { } rate) => faults with { DropRate = Rate(rate) },
                ("latency", { } duration) => faults with { Latency = Duration(duration) },
                ("unreachable", null) => faults with { Unreachable = true },
                ("wrong-credentials", null) => faults with { WrongCredentials = true },
                ("garbage", null) => faults with { GarbageReplies = true },
                ("ignore-power", null) => faults with { IgnorePowerCommands = true },
                _ => throw new UsageException($"Unknown fault '{part}' in --faults; the syntax is {Syntax}."),
            };
        }
        return faults;
    }

    /// <summary>Faults for BMC <paramref name="index"/>: spread evenly so that <paramref name="percent"/>% of
    /// any run of BMCs is faulty (deterministic, so a demo can be repeated).</summary>
    public static BmcFaults For(int index, BmcFaults? faults, int percent)
    {
        if (percent <= 0 || (index + 1) * percent / 100 == index * percent / 100) return BmcFaults.None;
        return faults ?? Mix[(index * percent / 100) % Mix.Length];
    }

    public static string Describe(BmcFaults f)
    {
        var parts = new List<string>();
        if (f.DropRate > 0) parts.Add($"drop={f.DropRate.ToString(CultureInfo.InvariantCulture)}");
        if (f.Latency > TimeSpan.Zero) parts.Add($"latency={f.Latency.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms");
        if (f.Unreachable) parts.Add("unreachable");
        if (f.WrongCredentials) parts.Add("wrong-credentials");
        if (f.GarbageReplies) parts.Add("garbage");
        if (f.IgnorePowerCommands) parts.Add("ignore-power");
        return parts.Count == 0 ? "-" : string.Join(",", parts);
    }

    private static double Rate(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate is >= 0 and <= 1
            ? rate : throw new UsageException($"drop={text}: the drop rate is a fraction from 0 to 1, such as 0.2.");

    private static TimeSpan Duration(string text)
    {
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 1.0)
            : text.EndsWith('s') ? (text[..^1], 1000.0) : (text, 1.0);
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? TimeSpan.FromMilliseconds(value * unit)
            : throw new UsageException($"latency={text}: give a duration such as 50ms or 2s.");
    }
}
