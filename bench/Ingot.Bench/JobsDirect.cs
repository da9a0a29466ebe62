using System.Diagnostics;
using System.Net;
using Ingot.Bmc;
using Ingot.Bmc.Ipmi;
using Ingot.Server.Jobs;

namespace Ingot.Bench;

/// <summary>What a power cycle costs without the broker: the same work the broker's power_cycle job does (one
/// IpmiBmc, so one session, per machine; ensure off, confirmed, then ensure on, confirmed, with the broker's default
/// PowerConfirmation deadline and polls), from this process, <c>concurrency</c> at a time (the broker's worker count),
/// against the same fleet. No database, no HTTP, no queue.</summary>
public static class JobsDirect
{
    public sealed record Result(double Seconds, double CpuSeconds, double[] CycleMs, int Failures);

    public static async Task<Result> RunAsync(int count, int concurrency, int firstBmc = 0)
    {
        var defaults = new JobOptions();
        var wait = new PowerWaitOptions { Deadline = defaults.PowerDeadline, PollDelays = defaults.PowerPolls };
        await using var transport = new IpmiTransport(new IpmiClientOptions { LocalAddress = IPAddress.Loopback });
        var cycles = new double[count];
        int next = -1, failures = 0;
        var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            await Task.Yield();
            while (Interlocked.Increment(ref next) is var i && i < count)
            {
                var began = Stopwatch.GetTimestamp();
                try
                {
                    var ep = JobsProcesses.BmcEndpoint(firstBmc + i);
                    await using var bmc = new IpmiBmc(new BmcTarget("ipmi", ep.Address.ToString(), ep.Port, "admin", "password"), transport);
                    var power = new PowerConfirmation(bmc, bmc.Target.Name, wait, TimeProvider.System);
                    await power.EnsureOffAsync();
                    await power.EnsureOnAsync();
                }
                catch (BmcException)
                {
                    Interlocked.Increment(ref failures);
                }
                cycles[i] = Stopwatch.GetElapsedTime(began).TotalMilliseconds;
            }
        }));
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        self.Refresh();
        return new Result(seconds, (self.TotalProcessorTime - cpu).TotalSeconds, cycles, failures);
    }
}
