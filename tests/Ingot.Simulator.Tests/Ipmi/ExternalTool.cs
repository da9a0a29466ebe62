using System.Diagnostics;

namespace Ingot.Simulator.Tests.Ipmi;

public sealed record ToolResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>Runs a third-party client (ipmitool, FreeIPMI) as a process, with a hard deadline on top of the
/// tool's own timeout flags so a hung tool fails its test instead of the run.</summary>
internal static class ExternalTool
{
    public static async Task<ToolResult> RunAsync(string file, IEnumerable<string> args, TimeSpan? deadline = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(deadline ?? TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return new ToolResult(-1, await stdout, $"killed after the deadline; {await stderr}");
        }
        return new ToolResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>ipmitool -I lanplus with one-second attempts and three retries (-N/-R): ample on loopback, and a
    /// silent BMC fails the call in seconds rather than minutes.</summary>
    public static Task<ToolResult> IpmitoolAsync(string host, string user, string password, int suite, params string[] command) =>
        RunAsync("/usr/bin/ipmitool",
            ["-I", "lanplus", "-H", host, "-U", user, "-P", password, "-C", suite.ToString(), "-N", "1", "-R", "3", .. command]);

    /// <summary>The FreeIPMI connection flags: RMCP+ (LAN_2_0), the suite, the privilege, and explicit timeouts.</summary>
    public static string[] FreeIpmiFlags(string host, string user, string password, int suite, string privilege = "ADMIN") =>
        ["-D", "LAN_2_0", "-h", host, "-u", user, "-p", password, "-I", suite.ToString(), "-l", privilege,
         "--session-timeout=5000", "--retransmission-timeout=1000"];

    public static Task<ToolResult> IpmipowerAsync(string host, string user, string password, int suite, string action,
                                                  string privilege = "ADMIN") =>
        RunAsync("/usr/sbin/ipmipower", [.. FreeIpmiFlags(host, user, password, suite, privilege), action]);

    public static Task<ToolResult> IpmiChassisAsync(string host, string user, string password, int suite, params string[] command) =>
        RunAsync("/usr/sbin/ipmi-chassis", [.. FreeIpmiFlags(host, user, password, suite), .. command]);

    public static Task<ToolResult> IpmiChassisConfigAsync(string host, string user, string password, int suite, params string[] command) =>
        RunAsync("/usr/sbin/ipmi-chassis-config", [.. FreeIpmiFlags(host, user, password, suite), .. command]);
}
