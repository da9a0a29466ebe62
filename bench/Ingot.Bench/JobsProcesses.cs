using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Reflection;
using Ingot.Bmc;
using Ingot.Bmc.Ipmi;
using Ingot.Server.Api;
using Ingot.Server.Hosting;
using Ingot.Server.Jobs;
using Ingot.Simulator.Ipmi;
using Microsoft.Extensions.Logging;

namespace Ingot.Bench;

/// <summary>The jobs benchmark's two children, both this program under another command: the simulated fleet
/// (<c>jobs-fleet</c>) and the Ingot server with its workers (<c>jobs-server</c>). Each in its own process so that
/// its CPU and memory are read from /proc apart from the load generator and from each other.</summary>
public static class JobsProcesses
{
    /// <summary>The first BMC's address; BMC i answers on this plus i, UDP 623 (one socket per address).</summary>
    public static readonly IPAddress FleetBase = IPAddress.Parse("127.3.0.1");

    public static IPEndPoint BmcEndpoint(int index) =>
        IpmiFleet.EndpointOf(new SimulatorOptions { IpmiBase = FleetBase }, index);

    /// <summary>Starts this program with <paramref name="args"/> and waits for its "ready" line. Stops when its
    /// standard input closes (<see cref="StopAsync"/>).</summary>
    public static async Task<Process> StartAsync(params string[] args)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        string[] prefix = Path.GetFileNameWithoutExtension(self) == "dotnet" ? [Assembly.GetEntryAssembly()!.Location] : [];
        var info = new ProcessStartInfo(self, [.. prefix, .. args]) { RedirectStandardInput = true, RedirectStandardOutput = true };
        var child = Process.Start(info) ?? throw new InvalidOperationException($"{args[0]} did not start");
        var line = await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2));
        if (line != "ready") throw new InvalidOperationException($"{args[0]} said '{line}'");
        return child;
    }

    public static async Task StopAsync(Process child)
    {
        child.StandardInput.Close();
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try { await child.WaitForExitAsync(stopping.Token); }
        catch (OperationCanceledException) { child.Kill(entireProcessTree: true); }
        child.Dispose();
    }

    /// <summary>Child side: <paramref name="count"/> simulated BMCs, powered on (a power cycle then really goes off
    /// and on), no latency: power changes the moment the command arrives.</summary>
    public static async Task ServeFleetAsync(int count)
    {
        await using var fleet = await IpmiFleet.StartAsync(new SimulatorOptions { Count = count, IpmiBase = FleetBase, InitialPower = PowerState.On });
        Console.WriteLine("ready");
        await Console.In.ReadToEndAsync();
    }

    /// <summary>Child side: an Ingot server as `ingot serve` builds it (ServerHost), default job options except the
    /// worker count and, for the batches benchmark, <see cref="JobOptions.RunWorkers"/> (false: an API-only node, jobs
    /// stay queued), its IPMI sockets on loopback. Logs warnings and errors to standard error (standard output is
    /// the "ready" line only: nobody reads it afterwards, so a full pipe would stall the server).</summary>
    public static async Task ServeServerAsync(string data, string? database, string url, string token, int workers, bool runWorkers = true,
                                              bool deliver = true, string? secretKey = null)
    {
        await using var app = await ServerHost.BuildAsync(new ServerSettings
        {
            DataDirectory = data, Database = database, Urls = [url], AdminToken = token, SecretKey = secretKey,
            Jobs = new JobOptions { Workers = workers, RunWorkers = runWorkers },
            Ipmi = new IpmiClientOptions { LocalAddress = IPAddress.Loopback },
            // The jobs' figures are the broker's: the BMC watch (a sweep of every BMC each 5 minutes) has its own benchmark.
            BmcWatch = new BmcWatchOptions { Run = false },
            // The fan-out benchmark's receiver listens on loopback, which deliveries are otherwise refused.
            Notifications = new Ingot.Server.Notifications.NotificationOptions { AllowNetworks = [IPNetwork.Parse("127.0.0.0/8")], Deliver = deliver },
        }, logging: b => b.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        Console.WriteLine("ready");
        await Console.In.ReadToEndAsync();
        await app.StopAsync();
    }

    /// <summary>Peak resident set (VmHWM, KiB) of a process since it started or since <see cref="ResetPeak"/>.</summary>
    public static long PeakRssKiB(int pid) => StatusKiB(pid, "VmHWM:");

    public static long RssKiB(int pid) => StatusKiB(pid, "VmRSS:");

    /// <summary>Resets VmHWM to the current RSS (clear_refs "5", Linux 4.0+), so the next peak is of the phase alone.</summary>
    public static bool ResetPeak(int pid)
    {
        try { File.WriteAllText($"/proc/{pid}/clear_refs", "5"); return true; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    private static long StatusKiB(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    /// <summary>CPU seconds of every process named postgres (backends, writers, and via the postmaster's cutime those
    /// that exited): the database's share of the broker's cost, which the server's own CPU does not show.</summary>
    public static double PostgresCpu()
    {
        var total = 0.0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                if (File.ReadAllText($"{dir}/comm").Trim() == "postgres") total += ChildCpu.OfProcess(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // it exited between the listing and the read
        }
        return total;
    }
}
