using System.Net;
using Ingot.Bmc;
using Ingot.Bmc.Ipmi;
using Ingot.Client;
using Ingot.Server.Hosting;
using Ingot.Server.Jobs;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Simulator;
using Ingot.Simulator.Ipmi;

namespace Ingot.Server.Tests.Jobs;

/// <summary>A server whose workers run, with short timings, and a fleet of simulated BMCs answering real IPMI on
/// loopback (one port each, from <paramref name="firstAddress"/>). Each test takes BMCs of its own
/// (<see cref="MachineAsync"/>), so tests sharing the fixture stay independent. Server and CLI tests derive their
/// fixtures from it, each with an address range of its own.</summary>
public abstract class SimulatedFleetServer(string firstAddress, int count) : IAsyncLifetime
{
    private int next = -1;

    public static JobOptions FastJobs { get; } = new()
    {
        PollInterval = TimeSpan.FromMilliseconds(100),
        PowerDeadline = TimeSpan.FromSeconds(2),
        PowerPolls = [TimeSpan.FromMilliseconds(20)],
        StepRetries = 1,
        StepRetry = new Backoff(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100)),
        JobRetry = new Backoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400)),
        MaxAttempts = 2,
        Lease = TimeSpan.FromSeconds(5),
    };

    public static IpmiClientOptions FastIpmi { get; } = new()
    {
        LocalAddress = IPAddress.Loopback, AttemptTimeout = TimeSpan.FromMilliseconds(400), Attempts = 2,
    };

    /// <summary>The server's broker options; <see cref="FastJobs"/> unless a fixture needs others.</summary>
    protected virtual JobOptions Jobs => FastJobs;

    /// <summary>The server's clock; the real one unless a fixture drives time.</summary>
    protected virtual TimeProvider? Clock => null;

    /// <summary>Other settings a fixture's server needs (delivery timings, an SMTP server).</summary>
    protected virtual ServerSettings Configure(ServerSettings settings) => settings;

    public TestServer Server { get; private set; } = null!;

    /// <summary>What the server logged.</summary>
    public LogCapture Logs { get; } = new();
    public SimulatorFleet Fleet { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        Fleet = await IpmiFleet.StartAsync(new SimulatorOptions
        {
            Count = count, IpmiBase = IPAddress.Parse(firstAddress), IpmiPort = 0, PortPerBmc = true, InitialPower = PowerState.On,
        });
        Server = await TestServer.StartAsync(jobs: Jobs, ipmi: FastIpmi, clock: Clock, logs: Logs, configure: Configure);
    }

    public virtual async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Fleet.DisposeAsync();
    }

    /// <summary>A new machine whose BMC is a simulated BMC no other test uses; returns it with its BMC.</summary>
    public async Task<(MachineView Machine, SimulatedBmc Bmc)> MachineAsync(string? site = null, string password = "password", string user = "admin")
    {
        var index = Interlocked.Increment(ref next);
        if (index >= count) throw new InvalidOperationException($"{GetType().Name} has only {count} BMCs; give it more");
        var ep = Fleet.IpmiEndpoints[index];
        var machine = await Server.Admin.CreateMachineAsync(new MachineCreate(
            Unique.Serial(), Site: site, Nics: [new NicInput(Unique.Mac(), "eth0")],
            Bmc: new BmcInput("sim", ep.Address.ToString(), ep.Port, user, password)));
        return (machine, Fleet.Bmcs[index]);
    }

    public Task<JobView> RunAsync(MachineView machine, string action, IReadOnlyDictionary<string, System.Text.Json.JsonElement>? parameters = null) =>
        RunAsync(Server.Admin, machine, action, parameters);

    public static async Task<JobView> RunAsync(IngotClient client, MachineView machine, string action,
                                               IReadOnlyDictionary<string, System.Text.Json.JsonElement>? parameters = null)
    {
        var job = await client.SubmitJobAsync(machine.HardwareName, action, parameters);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await client.WaitForJobAsync(job.Id, TimeSpan.FromMilliseconds(50), timeout.Token);
    }
}

/// <summary>The server tests' fleet: 127.0.4.x.</summary>
public sealed class BrokerFixture() : SimulatedFleetServer("127.0.4.1", 60);

[CollectionDefinition(Name)]
public sealed class BrokerCollection : ICollectionFixture<BrokerFixture>
{
    public const string Name = "broker";
}
