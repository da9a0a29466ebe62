using System.Net;
using Ingot.Bmc;
using Ingot.Bmc.Ipmi;
using Ingot.Client;
using Ingot.Server.Jobs;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Simulator;
using Ingot.Simulator.Ipmi;

namespace Ingot.Server.Tests.Jobs;

/// <summary>A server whose workers run, with short timings, and a fleet of simulated BMCs answering real IPMI on
/// 127.0.4.x (one port each). Each test takes BMCs of its own (<see cref="MachineAsync"/>), so tests sharing the
/// fixture stay independent.</summary>
public sealed class BrokerFixture : IAsyncLifetime
{
    public const int Count = 60;
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

    public TestServer Server { get; private set; } = null!;
    public SimulatorFleet Fleet { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Fleet = await IpmiFleet.StartAsync(new SimulatorOptions
        {
            Count = Count, IpmiBase = IPAddress.Parse("127.0.4.1"), IpmiPort = 0, PortPerBmc = true, InitialPower = PowerState.On,
        });
        Server = await TestServer.StartAsync(jobs: FastJobs, ipmi: FastIpmi);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Fleet.DisposeAsync();
    }

    /// <summary>A new machine whose BMC is a simulated BMC no other test uses; returns it with its BMC.</summary>
    public async Task<(MachineView Machine, SimulatedBmc Bmc)> MachineAsync(string? site = null, string password = "password")
    {
        var index = Interlocked.Increment(ref next);
        if (index >= Count) throw new InvalidOperationException($"BrokerFixture has only {Count} BMCs; raise Count");
        var ep = Fleet.IpmiEndpoints[index];
        var machine = await Server.Admin.CreateMachineAsync(new MachineCreate(
            Unique.Serial(), Site: site, Bmc: new BmcInput("sim", ep.Address.ToString(), ep.Port, "admin", password)));
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

[CollectionDefinition(Name)]
public sealed class BrokerCollection : ICollectionFixture<BrokerFixture>
{
    public const string Name = "broker";
}
