using System.Net;
using Ingot.Bmc;

namespace Ingot.Simulator.Ipmi;

/// <summary>What <see cref="IpmiFleet.StartAsync"/> starts: how many BMCs, where, who may log in, and misbehaviour.</summary>
public sealed record SimulatorOptions
{
    /// <summary>Number of simulated BMCs.</summary>
    public int Count { get; init; } = 1;

    /// <summary>The first BMC's address; the others take the next ones (127.1.0.1, 127.1.0.2, …). Loopback only.</summary>
    public IPAddress IpmiBase { get; init; } = IPAddress.Parse("127.1.0.1");

    /// <summary>UDP port (623 is IPMI's; binding it needs root). 0 picks a free port per BMC.</summary>
    public int IpmiPort { get; init; } = 623;

    /// <summary>All BMCs on <see cref="IpmiBase"/>, on consecutive ports from <see cref="IpmiPort"/>, instead of
    /// one address each (for hosts where 127.x addresses other than 127.0.0.1 are not usable).</summary>
    public bool PortPerBmc { get; init; }

    /// <summary>The accounts every BMC accepts.</summary>
    public IReadOnlyList<SimUser> Users { get; init; } = DefaultUsers;

    public PowerState InitialPower { get; init; } = PowerState.Off;

    /// <summary>Faults for the BMC with the given index (0-based); null for none. Faults can also be changed later
    /// through <see cref="SimulatedBmc.Faults"/>.</summary>
    public Func<int, BmcFaults>? FaultsFor { get; init; }

    public SessionLimits Sessions { get; init; } = new();

    /// <summary>Names are this prefix plus a 1-based number: sim-bmc-1, sim-bmc-2, …</summary>
    public string NamePrefix { get; init; } = "sim-bmc-";

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>admin/password (administrator), operator/operpass (operator), user/userpass (user): the accounts
    /// LABS.md's ipmi_sim configuration has, so tests and demos can use either BMC with the same flags.</summary>
    public static IReadOnlyList<SimUser> DefaultUsers { get; } =
    [
        new("admin", "password", IpmiPrivilege.Administrator),
        new("operator", "operpass", IpmiPrivilege.Operator),
        new("user", "userpass", IpmiPrivilege.User),
    ];
}

/// <summary>A running fleet of simulated BMCs answering IPMI. Dispose to stop them all and free their sockets.</summary>
public sealed class SimulatorFleet : IAsyncDisposable
{
    private readonly IReadOnlyList<IpmiServer> servers;

    internal SimulatorFleet(IReadOnlyList<IpmiServer> servers) => this.servers = servers;

    /// <summary>The BMCs' shared state (power, boot, faults, counters), in address order.</summary>
    public IReadOnlyList<SimulatedBmc> Bmcs => [.. servers.Select(s => s.Bmc)];

    /// <summary>Where each BMC answers IPMI, in the same order as <see cref="Bmcs"/>.</summary>
    public IReadOnlyList<IPEndPoint> IpmiEndpoints => [.. servers.Select(s => s.Endpoint)];

    public IReadOnlyList<IpmiServer> Servers => servers;

    public async ValueTask DisposeAsync()
    {
        foreach (var server in servers) await server.DisposeAsync();
    }
}

/// <summary>Starts simulated BMCs on consecutive loopback addresses (or ports). The `ingot sim bmc` verb and the
/// tests call it; the Redfish half serves the same <see cref="SimulatedBmc"/> objects.</summary>
public static class IpmiFleet
{
    /// <exception cref="ArgumentException">Bad options (count, a non-loopback base, addresses past 127.255.255.254).</exception>
    /// <exception cref="System.Net.Sockets.SocketException">An address/port is taken; the BMCs already started are stopped.</exception>
    public static async Task<SimulatorFleet> StartAsync(SimulatorOptions options, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Count, 1);
        var servers = new List<IpmiServer>(options.Count);
        try
        {
            for (var i = 0; i < options.Count; i++)
            {
                ct.ThrowIfCancellationRequested();
                var endpoint = EndpointOf(options, i);
                var bmc = new SimulatedBmc($"{options.NamePrefix}{i + 1}", endpoint.Address, options.Users, options.InitialPower)
                {
                    Faults = options.FaultsFor?.Invoke(i) ?? BmcFaults.None,
                };
                servers.Add(IpmiServer.Start(bmc, endpoint, options.Sessions, options.Time));
            }
        }
        catch
        {
            foreach (var server in servers) await server.DisposeAsync();
            throw;
        }
        return new SimulatorFleet(servers);
    }

    /// <summary>The i-th BMC's endpoint: the base address plus i, or the base port plus i.</summary>
    public static IPEndPoint EndpointOf(SimulatorOptions options, int index)
    {
        if (options.PortPerBmc)
        {
            var port = options.IpmiPort == 0 ? 0 : options.IpmiPort + index;
            if (port > IPEndPoint.MaxPort) throw new ArgumentException($"port {port} is past 65535");
            return new IPEndPoint(options.IpmiBase, port);
        }
        var bytes = options.IpmiBase.GetAddressBytes();
        if (bytes.Length != 4 || bytes[0] != 127) throw new ArgumentException($"the IPMI base must be a 127.x.y.z address, not {options.IpmiBase}");
        var value = (uint)(bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]) + (uint)index;
        if (value > 0x7FFF_FFFE) throw new ArgumentException($"{options.Count} BMCs from {options.IpmiBase} run past 127.255.255.254");
        return new IPEndPoint(new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]), options.IpmiPort);
    }
}
