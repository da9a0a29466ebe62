using System.Net;
using Ingot.Bmc;
using Ingot.Simulator.Ipmi;
using Ingot.Simulator.Machines;

namespace Ingot.Simulator.Tests.Machines;

/// <summary>A stand-in boot server and one simulated machine whose BMC is driven in-process (no IPMI), with
/// images that take milliseconds. Tests that need IPMI build a <see cref="SimulatedFleet"/> instead.</summary>
public sealed class MachineBench : IAsyncDisposable
{
    public static readonly BootTimings Fast = new()
    {
        Install = TimeSpan.FromMilliseconds(50),
        Wipe = TimeSpan.FromMilliseconds(30),
        Discover = TimeSpan.FromMilliseconds(10),
        RetryBackoff = TimeSpan.FromMilliseconds(10),
        RetryBackoffMax = TimeSpan.FromMilliseconds(80),
        RetryWindow = TimeSpan.FromMilliseconds(400),
        HttpTimeout = TimeSpan.FromSeconds(5),
    };

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly HttpClient http = new();

    private MachineBench(StandInBootServer server, Firmware firmware, BootTimings timings)
    {
        Server = server;
        Bmc = new SimulatedBmc("bench-bmc", IPAddress.Parse("127.0.8.200"), SimulatorOptions.DefaultUsers);
        var identity = MachineIdentity.Generate("BENCH-", 0) with { Firmware = firmware };
        Machine = new SimulatedMachine(identity, Bmc, server.Url, http, timings);
    }

    public StandInBootServer Server { get; }
    public SimulatedBmc Bmc { get; }
    public SimulatedMachine Machine { get; }
    public string Mac => Machine.Identity.BootMac;

    public static async Task<MachineBench> StartAsync(Firmware firmware = Firmware.Efi, BootTimings? timings = null) =>
        new(await StandInBootServer.StartAsync(), firmware, timings ?? Fast);

    /// <summary>Sets the next boot, powers on (as the server would through the BMC) and waits for the boot to end.</summary>
    public async Task<BootOutcome> BootAsync(BootDevice device, PowerAction power = PowerAction.On)
    {
        Bmc.SetBoot(new BootSettings(device));
        return await EndOfBootAsync(Machine, () => Bmc.Apply(power));
    }

    /// <summary>Runs <paramref name="start"/> and waits for the boot it starts to end.</summary>
    public static async Task<BootOutcome> EndOfBootAsync(SimulatedMachine machine, Func<Task> start)
    {
        var ended = new TaskCompletionSource<BootOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnEnded(SimulatedMachine _, BootOutcome outcome) => ended.TrySetResult(outcome);
        machine.BootEnded += OnEnded;
        try
        {
            await start();
            return await ended.Task.WaitAsync(Patience);
        }
        finally
        {
            machine.BootEnded -= OnEnded;
        }
    }

    public static Task<BootOutcome> EndOfBootAsync(SimulatedMachine machine, Action start) =>
        EndOfBootAsync(machine, () => { start(); return Task.CompletedTask; });

    public async ValueTask DisposeAsync()
    {
        Machine.Dispose();
        http.Dispose();
        await Server.DisposeAsync();
    }
}
