using System.Net;
using Ingot.Bmc;
using Ingot.Bmc.Ipmi;
using Ingot.Client;
using Ingot.Server.Jobs;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Simulator;
using Ingot.Simulator.Ipmi;

namespace Ingot.Tests.Commands.Jobs;

/// <summary>A server that runs job workers, and simulated IPMI BMCs for its machines: each test takes machines
/// of its own, each with a BMC no other test touches, so their power counters are the test's alone.</summary>
public sealed class JobServerFixture : IAsyncLifetime
{
    // Enough BMCs for every machine the tests in one class create; 127.0.5.x is this folder's address range.
    private const int Bmcs = 24;
    private int next = -1;
    private SimulatorFleet fleet = null!;

    public TestServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        fleet = await IpmiFleet.StartAsync(new SimulatorOptions
        {
            Count = Bmcs, IpmiBase = IPAddress.Parse("127.0.5.1"), IpmiPort = 0, PortPerBmc = true, InitialPower = PowerState.On,
        });
        // Short polls and retries: the simulator answers at once, and a test should not wait out production timings.
        Server = await TestServer.StartAsync(jobs: new JobOptions
        {
            PowerPolls = [TimeSpan.FromMilliseconds(20)],
            PollInterval = TimeSpan.FromMilliseconds(100),
            StepRetry = new Backoff(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(50)),
            JobRetry = new Backoff(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100)),
            MaxAttempts = 2,
        }, ipmi: new IpmiClientOptions { LocalAddress = IPAddress.Loopback, AttemptTimeout = TimeSpan.FromMilliseconds(500), Attempts = 3 });
    }

    /// <summary>A new machine whose BMC is a simulated one of its own, powered on.</summary>
    public async Task<(MachineView Machine, SimulatedBmc Bmc)> MachineAsync()
    {
        var i = Interlocked.Increment(ref next);
        if (i >= Bmcs) throw new InvalidOperationException($"the tests use more than {Bmcs} BMCs; raise {nameof(Bmcs)}");
        var endpoint = fleet.IpmiEndpoints[i];
        var machine = await Server.Admin.CreateMachineAsync(new MachineCreate(
            Unique.Serial(), Bmc: new BmcInput("sim", endpoint.Address.ToString(), endpoint.Port, "admin", "password")));
        return (machine, fleet.Bmcs[i]);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await fleet.DisposeAsync();
    }
}
