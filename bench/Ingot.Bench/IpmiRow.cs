using System.Globalization;

namespace Ingot.Bench;

/// <summary>One measured line of the IPMI benchmark: a tool, a fleet, one operation, and what it cost on the client side.</summary>
public sealed record IpmiRow(string Tool, string Fleet, string Operation, int Ops, double Seconds, double CpuSeconds, int Failures)
{
    public double OpsPerSecond => Ops / Seconds;
    public double CpuPerOp => CpuSeconds / Ops;

    public string Markdown() => string.Create(CultureInfo.InvariantCulture,
        $"| {Tool} | {Fleet} | {Operation} | {Ops:N0} | {Seconds:F2} | {OpsPerSecond:N0} | {CpuPerOp * 1000:F3} ms | {Failures} |");
}

/// <summary>CPU time (user + system) of this process's terminated, reaped children — fields cutime and cstime of
/// /proc/self/stat, the kernel's RUSAGE_CHILDREN accounting, in clock ticks of 10 ms: how the external tools are
/// charged. Only children reaped inside a measurement count, so long-lived children (the BMC fleets) never do.</summary>
public static class ChildCpu
{
    private const double TicksPerSecond = 100; // USER_HZ, 100 on Linux x86-64

    public static double Seconds()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state); cutime and cstime are fields 16 and 17.
        return (long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    /// <summary>CPU of another process and its reaped children (utime + stime + cutime + cstime of /proc/PID/stat): the
    /// BMCs' side, to see how much of the 2 cores they take. ipmi_sim reaps its chassis-control scripts, so they count.</summary>
    public static double OfProcess(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return fields[11..15].Sum(f => long.Parse(f, CultureInfo.InvariantCulture)) / TicksPerSecond;
    }
}
