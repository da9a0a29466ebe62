using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Ingot.Bench;

/// <summary>The third-party clients, run as child processes against the same BMCs: ipmitool (one process per call, N
/// in parallel), FreeIPMI ipmipower (one process per sweep over all hosts, parallel inside), pyghmi (one Python process,
/// a thread pool inside). All use cipher suite 3 and the admin account.</summary>
public static partial class IpmiExternalTools
{
    private static readonly TimeSpan CallLimit = TimeSpan.FromSeconds(30);

    /// <summary>pyghmi stalls for 0.5–1 s on some calls against ipmi_sim (its retransmission timer), so its warm-up
    /// and its measured loop each stop starting calls after this long.</summary>
    private static readonly TimeSpan PyghmiLimit = TimeSpan.FromSeconds(30);

    /// <summary>ipmitool: <paramref name="parallel"/> workers each running one process per call. CPU is the reaped
    /// children's (getrusage RUSAGE_CHILDREN), so process start-up — the real cost of this way of working — is in it.</summary>
    public static async Task<IpmiRow> IpmitoolAsync(string fleet, IpmiOperation operation, IReadOnlyList<string> hosts,
        int ops, int warmup, int parallel, string expected)
    {
        await IpmitoolRunAsync(operation, hosts, warmup, parallel, expected);
        var cpu = ChildCpu.Seconds();
        var start = Stopwatch.GetTimestamp();
        var (done, failures) = await IpmitoolRunAsync(operation, hosts, ops, parallel, expected);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return new IpmiRow("ipmitool -I lanplus -C 3", fleet, operation.Name, done, seconds, ChildCpu.Seconds() - cpu, failures + ops - done);
    }

    private static async Task<(int Done, int Failures)> IpmitoolRunAsync(IpmiOperation operation, IReadOnlyList<string> hosts,
        int count, int parallel, string expected)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(IpmiBenchmark.MeasurementLimit.TotalSeconds * Stopwatch.Frequency);
        int next = -1, done = 0, failures = 0;
        string[] command = operation == IpmiOperation.PowerStatus ? ["power", "status"] : ["mc", "info"];
        var workers = Enumerable.Range(0, parallel).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var i && i < count && Stopwatch.GetTimestamp() < deadline)
            {
                var (exit, output) = await RunAsync("ipmitool",
                    ["-I", "lanplus", "-C", "3", "-H", hosts[i % hosts.Count], "-U", IpmiBenchmark.User, "-P", IpmiBenchmark.Password, .. command]);
                var answer = operation == IpmiOperation.PowerStatus
                    ? PowerLine().Match(output) is { Success: true } p ? p.Groups[1].Value : null
                    : ManufacturerLine().Match(output) is { Success: true } m ? m.Groups[1].Value : null;
                if (exit != 0 || answer != expected) Interlocked.Increment(ref failures);
                Interlocked.Increment(ref done);
            }
        });
        await Task.WhenAll(workers);
        return (done, failures);
    }

    /// <summary>ipmipower --stat over every host of the fleet per process, repeated until <paramref name="ops"/> calls
    /// are made; one line "host: off" per host. Default fanout: "parallel by design" as shipped. Power only — ipmipower
    /// has no Get Device ID.</summary>
    public static async Task<IpmiRow> IpmipowerAsync(string fleet, IReadOnlyList<string> hosts, int ops, string expected)
    {
        await IpmipowerSweepAsync(hosts, expected);
        var cpu = ChildCpu.Seconds();
        var start = Stopwatch.GetTimestamp();
        int done = 0, failures = 0;
        var deadline = start + (long)(IpmiBenchmark.MeasurementLimit.TotalSeconds * Stopwatch.Frequency);
        while (done < ops && Stopwatch.GetTimestamp() < deadline)
        {
            failures += await IpmipowerSweepAsync(hosts, expected);
            done += hosts.Count;
        }
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return new IpmiRow("ipmipower -D LAN_2_0 -I 3", fleet, IpmiOperation.PowerStatus.Name, done, seconds, ChildCpu.Seconds() - cpu, failures);
    }

    private static async Task<int> IpmipowerSweepAsync(IReadOnlyList<string> hosts, string expected)
    {
        // -W opensesspriv: ipmi_sim needs it (LABS.md); kept for our simulator too so both fleets see the same client.
        var (_, output) = await RunAsync("ipmipower", ["-D", "LAN_2_0", "-I", "3", "-W", "opensesspriv", "-h", string.Join(',', hosts),
            "-u", IpmiBenchmark.User, "-p", IpmiBenchmark.Password, "--stat"]);
        var good = output.Split('\n').Count(line => line.EndsWith($": {expected}", StringComparison.Ordinal));
        return hosts.Count - good;
    }

    /// <summary>pyghmi, <paramref name="threads"/> threads: the script times its own measured loop (wall clock and its own CPU from getrusage RUSAGE_SELF,
    /// after its warm-up), so interpreter start-up and import are left out — in pyghmi's favour.</summary>
    public static async Task<IpmiRow> PyghmiAsync(string fleet, IpmiOperation operation, IReadOnlyList<string> hosts,
        int ops, int warmup, int threads, string expected)
    {
        var script = Path.Combine(Path.GetTempPath(), $"ingot-bench-pyghmi-{Environment.ProcessId}.py");
        await File.WriteAllTextAsync(script, PyghmiScript.Text);
        try
        {
            var (exit, output) = await RunAsync("/usr/bin/python3", [script, string.Join(',', hosts), $"{ops}", $"{warmup}", $"{threads}",
                operation == IpmiOperation.PowerStatus ? "power" : "deviceid", expected, $"{PyghmiLimit.TotalSeconds}"], PyghmiLimit * 3);
            var result = ResultLine().Match(output);
            if (exit != 0 || !result.Success) throw new InvalidOperationException($"pyghmi script failed ({exit}): {output}");
            double Field(int i) => double.Parse(result.Groups[i].Value, CultureInfo.InvariantCulture);
            if (Field(5) > 0) Console.WriteLine($"   pyghmi: {Field(5)} of {ops} calls not started within its {PyghmiLimit.TotalSeconds} s limit");
            return new IpmiRow(threads == 1 ? "pyghmi, 1 thread" : $"pyghmi, {threads} threads", fleet, operation.Name, (int)Field(1), Field(3), Field(4), (int)Field(2));
        }
        finally
        {
            File.Delete(script);
        }
    }

    /// <summary>Runs a tool to its end (killed after a limit) and returns its exit code and standard output.</summary>
    private static async Task<(int Exit, string Output)> RunAsync(string file, string[] arguments, TimeSpan? limit = null)
    {
        var info = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit ?? CallLimit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (-1, await output + await error);
        }
        return (process.ExitCode, await output + await error);
    }

    [GeneratedRegex(@"Chassis Power is (\w+)")]
    private static partial Regex PowerLine();

    [GeneratedRegex(@"Manufacturer ID\s*:\s*(\d+)")]
    private static partial Regex ManufacturerLine();

    [GeneratedRegex(@"RESULT ops=(\d+) failures=(\d+) seconds=([\d.]+) cpu=([\d.]+) skipped=(\d+)")]
    private static partial Regex ResultLine();
}
