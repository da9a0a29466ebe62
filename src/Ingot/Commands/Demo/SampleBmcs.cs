using System.Net;
using Ingot.Bmc;
using Ingot.Client;
using Ingot.Simulator;
using Ingot.Simulator.Ipmi;

namespace Ingot.Commands.Demo;

/// <summary>The demo's BMCs: one simulated BMC per machine, answering IPMI in the demo's own process, and each
/// machine's BMC in the inventory pointing at its own one, so talking to a sample machine's BMC works at once.</summary>
public static class SampleBmcs
{
    /// <summary>127.2.0.1…: loopback (never a network), and clear of the tests' 127.0.2-3.x, 127.1.x and 127.77-80.x.</summary>
    public const string DefaultBase = "127.2.0.1";

    /// <summary>A high port, so a user who is not root can bind it (623 needs root).</summary>
    public const int DefaultPort = 6230;

    /// <summary>The account the inventory records: the simulator's administrator, enough for power and boot.</summary>
    public static SimUser Account { get; } = SimulatorOptions.DefaultUsers.First(u => u.MaxPrivilege == IpmiPrivilege.Administrator);

    /// <summary>One address per BMC from <paramref name="first"/>, all on <paramref name="port"/> (0: a free port each).
    /// The machines start powered on: they "run" their OS, so a power cycle shows.</summary>
    public static SimulatorOptions Options(IPAddress first, int port, int count) => new()
    {
        Count = count, IpmiBase = first, IpmiPort = port, InitialPower = PowerState.On, NamePrefix = "demo-bmc-",
    };

    /// <summary>Where the BMCs will answer, known before they start (for --no-bmcs); null when the ports are
    /// picked at start (port 0).</summary>
    public static IReadOnlyList<IPEndPoint>? Planned(SimulatorOptions options) =>
        options.IpmiPort == 0 ? null : [.. Enumerable.Range(0, options.Count).Select(i => IpmiFleet.EndpointOf(options, i))];

    public static BmcInput Registration(IPEndPoint endpoint) =>
        new(BmcDrivers.Sim, endpoint.Address.ToString(), endpoint.Port, Account.Name, Account.Password);

    /// <summary>Points each seated inventory machine at its BMC where it does not already: a machine that kept its
    /// address needs nothing (or only its port, with a free port per BMC); one new to the demo, or from a demo with
    /// other flags, gets its seat's address (<see cref="BmcSeats"/>).</summary>
    /// <returns>How many machines were changed.</returns>
    public static async Task<int> RegisterAsync(IngotClient client, IReadOnlyList<BmcSeat> seats, IReadOnlyList<IPEndPoint> endpoints,
        CancellationToken ct)
    {
        var changed = 0;
        foreach (var seat in seats)
        {
            if (seat.Record is not { } machine || Matches(machine.Bmc, endpoints[seat.Index])) continue;
            await client.UpdateMachineAsync(machine.HardwareName, new MachineUpdate(Bmc: Registration(endpoints[seat.Index])), ct);
            changed++;
        }
        return changed;
    }

    private static bool Matches(BmcView? bmc, IPEndPoint endpoint) =>
        bmc is not null && bmc.Address == endpoint.Address.ToString() && bmc.Port == endpoint.Port && bmc.Username == Account.Name && bmc.HasPassword;

    /// <summary>The banner's line: how many answer and where (the inventory's machines; the unknown ones have their own line).</summary>
    public static string Describe(DemoFleet? fleet)
    {
        if (fleet is null) return "Simulated BMCs: none (--no-bmcs).";
        var endpoints = fleet.KnownEndpoints;
        if (endpoints.Count == 0) return "Simulated BMCs: none (the inventory has no machines).";
        return $"Simulated BMCs: {endpoints.Count} answer IPMI on {endpoints[0]}" +
               (endpoints.Count > 1 ? $" … {endpoints[^1]}" : "") +
               $" (driver {BmcDrivers.Sim}, user {Account.Name}/{Account.Password}), one per machine, powered on.";
    }
}
