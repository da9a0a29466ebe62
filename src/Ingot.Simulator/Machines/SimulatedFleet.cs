using System.Net;
using Ingot.Simulator.Ipmi;

namespace Ingot.Simulator.Machines;

/// <summary>What <see cref="SimulatedFleet.StartAsync"/> starts.</summary>
public sealed record FleetOptions
{
    /// <summary>The Ingot server the machines network-boot from.</summary>
    public required Uri Server { get; init; }

    /// <summary>Number of machines, each with its own BMC.</summary>
    public int Count { get; init; } = 1;

    /// <summary>Where the BMCs answer IPMI and who may log in (its Count, FaultsFor and Time are this record's).</summary>
    public SimulatorOptions Bmcs { get; init; } = new() { IpmiBase = IPAddress.Parse("127.3.0.1"), IpmiPort = 6230 };

    /// <summary>Serials are this prefix plus a 1-based, five-digit number: SIM-00001, …</summary>
    public string SerialPrefix { get; init; } = "SIM-";

    public BootTimings Timings { get; init; } = BootTimings.Default;

    public FleetFaults Faults { get; init; } = FleetFaults.None;

    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>Simulated machines that network-boot, each with a simulated BMC answering IPMI on loopback.
/// Dispose to stop the BMCs and interrupt any boot in progress.</summary>
public sealed class SimulatedFleet : IAsyncDisposable
{
    private readonly SimulatorFleet bmcs;
    private readonly HttpClient http;

    private SimulatedFleet(SimulatorFleet bmcs, HttpClient http, IReadOnlyList<SimulatedMachine> machines)
    {
        this.bmcs = bmcs;
        this.http = http;
        Machines = machines;
    }

    /// <summary>In fleet order: machine i has BMC i, at <see cref="IpmiEndpoints"/>[i].</summary>
    public IReadOnlyList<SimulatedMachine> Machines { get; }

    public IReadOnlyList<IPEndPoint> IpmiEndpoints => bmcs.IpmiEndpoints;

    /// <exception cref="ArgumentException">Bad options (see <see cref="IpmiFleet.StartAsync"/>, <see cref="FleetFaults"/>).</exception>
    /// <exception cref="System.Net.Sockets.SocketException">An address/port is taken.</exception>
    public static async Task<SimulatedFleet> StartAsync(FleetOptions options, CancellationToken ct = default)
    {
        var faults = options.Faults.Assign(options.Count);
        var bmcs = await IpmiFleet.StartAsync(options.Bmcs with
        {
            Count = options.Count,
            FaultsFor = i => faults[i].Bmc,
            Time = options.Time,
        }, ct);
        // One client for the fleet: its connection pool is shared, as machines on one network share a server.
        var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
        {
            Timeout = Timeout.InfiniteTimeSpan, // each try has its own limit (BootTimings.HttpTimeout)
        };
        var machines = bmcs.Bmcs.Select((bmc, i) =>
            new SimulatedMachine(MachineIdentity.Generate(options.SerialPrefix, i), bmc, options.Server, http, options.Timings, options.Time)
            {
                Faults = faults[i].Machine,
                BmcPort = bmcs.IpmiEndpoints[i].Port,
            }).ToList();
        return new SimulatedFleet(bmcs, http, machines);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var machine in Machines) machine.Dispose();
        await bmcs.DisposeAsync();
        http.Dispose();
    }
}
