using System.Diagnostics;
using System.Net;
using Ingot.Bmc;
using Ingot.Bmc.Ipmi;

namespace Ingot.Bench;

/// <summary>Our client: a fresh IpmiBmc per call, so every call is a full RMCP+ session (Get Channel Auth Capabilities,
/// Open Session, RAKP 1–4, Set Session Privilege, the command, Close Session), with <c>concurrency</c> calls in flight
/// over one shared transport. CPU is this process's TotalProcessorTime delta — the BMC fleets run in other processes.</summary>
public static class IpmiOwnClient
{
    public static async Task<IpmiRow> MeasureAsync(string tool, string fleet, IpmiOperation operation, IReadOnlyList<string> hosts,
        int suite, int ops, int warmup, int concurrency, string expected, Func<double> bmcCpu)
    {
        await using var transport = new IpmiTransport(new IpmiClientOptions { LocalAddress = IPAddress.Loopback });
        await RunAsync(transport, operation, hosts, suite, warmup, concurrency, expected);
        var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        var bmcCpuBefore = bmcCpu();
        var start = Stopwatch.GetTimestamp();
        var (done, failures) = await RunAsync(transport, operation, hosts, suite, ops, concurrency, expected);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        self.Refresh();
        // The BMCs' own CPU over the same calls: on 2 cores, what they use is not available to the client.
        var bmcSeconds = bmcCpu() - bmcCpuBefore;
        Console.WriteLine(FormattableString.Invariant($"   BMC side during {tool}: {bmcSeconds / done * 1000:F3} ms CPU per op, {bmcSeconds / seconds:F2} cores busy; client {(self.TotalProcessorTime - cpu).TotalSeconds / seconds:F2} cores"));
        return new IpmiRow(tool, fleet, operation.Name, done, seconds, (self.TotalProcessorTime - cpu).TotalSeconds, failures + ops - done);
    }

    /// <summary>The answer every BMC of a fleet gives, taken from the first BMC, so the tools are checked against it.</summary>
    public static async Task<string> AnswerAsync(IpmiOperation operation, string host, int suite)
    {
        await using var transport = new IpmiTransport(new IpmiClientOptions { LocalAddress = IPAddress.Loopback });
        await using var bmc = new IpmiBmc(Target(host, suite), transport);
        return await AskAsync(bmc, operation);
    }

    private static async Task<(int Done, int Failures)> RunAsync(IpmiTransport transport, IpmiOperation operation,
        IReadOnlyList<string> hosts, int suite, int count, int concurrency, string expected)
    {
        // Bounded in count (the shared counter) and in time (the deadline cancels what is still running).
        using var deadline = new CancellationTokenSource(IpmiBenchmark.MeasurementLimit);
        int next = -1, done = 0, failures = 0;
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            await Task.Yield();
            while (Interlocked.Increment(ref next) is var i && i < count && !deadline.IsCancellationRequested)
            {
                try
                {
                    await using var bmc = new IpmiBmc(Target(hosts[i % hosts.Count], suite), transport);
                    if (await AskAsync(bmc, operation, deadline.Token) != expected) Interlocked.Increment(ref failures);
                }
                catch (Exception e) when (e is BmcException or OperationCanceledException)
                {
                    Interlocked.Increment(ref failures);
                }
                Interlocked.Increment(ref done);
            }
        });
        await Task.WhenAll(workers);
        return (done, failures);
    }

    private static BmcTarget Target(string host, int suite) =>
        new("ipmi", host, 623, IpmiBenchmark.User, IpmiBenchmark.Password) { CipherSuite = suite };

    private static async Task<string> AskAsync(IpmiBmc bmc, IpmiOperation operation, CancellationToken ct = default) =>
        operation == IpmiOperation.PowerStatus
            ? (await bmc.GetPowerStateAsync(ct) == PowerState.On ? "on" : "off")
            : (await bmc.GetDeviceInfoAsync(ct)).Details["manufacturer_id"];
}

/// <summary>What each call asks the BMC: Get Chassis Status (power), or Get Device ID (no chassis-control script on
/// ipmi_sim). Answers are compared as text: "on"/"off", or the decimal IANA manufacturer id.</summary>
public sealed record IpmiOperation(string Name)
{
    public static IpmiOperation PowerStatus { get; } = new("power status");
    public static IpmiOperation DeviceId { get; } = new("Get Device ID");
}
