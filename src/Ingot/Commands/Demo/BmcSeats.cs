using System.Net;
using Ingot.Bmc;
using Ingot.Client;
using Ingot.Simulator.Machines;

namespace Ingot.Commands.Demo;

/// <summary>One simulated machine and the BMC it sits behind: <see cref="Index"/> counts addresses from the demo's
/// first BMC address. <see cref="Record"/> is its inventory machine; null for an unknown machine not discovered yet.</summary>
public sealed record BmcSeat(MachineIdentity Identity, int Index, MachineView? Record);

/// <summary>Which simulated BMC each machine sits behind, so that every start of the demo puts a machine behind the
/// address its inventory record names. A machine whose record names one of the demo's BMC addresses keeps it
/// (issue 11 F.1: after a CSV import and a restart, the new machines took the addresses of machines discovered
/// earlier, and a power cycle of those reached the imported ones); the others — no BMC yet, or one outside the
/// demo's range, or an address another machine already holds — take the lowest free addresses, in id order, and
/// <see cref="SampleBmcs.RegisterAsync"/> records them. Only the address identifies a seat: with a free port per BMC
/// (port 0) the ports change on every start, and the inventory follows them.</summary>
public static class BmcSeats
{
    /// <summary>How far past the seats needed a recorded address is still kept: deleted machines leave gaps, which
    /// cost an idle BMC each and are no reason to move the machines after them.</summary>
    private const int Slack = 1024;

    /// <param name="first">The demo's first BMC address (--bmc-base).</param>
    /// <param name="inventory">The inventory, in id order. A machine whose BMC a user gave a real driver at an address
    /// outside the demo's range is left out: nothing the demo simulates answers for it.</param>
    /// <param name="unknown">The unknown machines (<see cref="DemoFleet.Unknown"/>); one that was discovered is its record's.</param>
    public static IReadOnlyList<BmcSeat> Plan(IPAddress first, IReadOnlyList<MachineView> inventory, IReadOnlyList<MachineIdentity> unknown)
    {
        var unknownBySerial = unknown.ToDictionary(u => u.Serial, StringComparer.OrdinalIgnoreCase);
        var limit = inventory.Count + unknown.Count + Slack;
        int? Seat(MachineView m) => Offset(first, m.Bmc) is { } index && index < limit ? index : null;
        // A discovered machine's record says driver ipmi (what its discovery image reported); its address is the demo's.
        var seated = inventory.Where(m => m.Bmc is null or { Driver: BmcDrivers.Sim } || Seat(m) is not null).ToList();
        var registered = seated.Select(m => m.Serial).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var blank = unknown.Where(u => !registered.Contains(u.Serial)).ToList();

        var taken = new HashSet<int>();
        var kept = new Dictionary<long, int>();
        foreach (var machine in seated)
            if (Seat(machine) is { } index && taken.Add(index))
                kept[machine.Id] = index;

        var free = 0;
        int NextFree()
        {
            while (taken.Contains(free)) free++;
            taken.Add(free);
            return free;
        }
        var seats = seated.Select(m => new BmcSeat(
            unknownBySerial.GetValueOrDefault(m.Serial) ?? DemoFleet.IdentityOf(m),
            kept.TryGetValue(m.Id, out var index) ? index : NextFree(), m)).ToList();
        seats.AddRange(blank.Select(u => new BmcSeat(u, NextFree(), null)));
        return seats;
    }

    /// <summary>How many BMCs the seats need: one past the highest address.</summary>
    public static int Count(IReadOnlyList<BmcSeat> seats) => seats.Count == 0 ? 1 : seats.Max(s => s.Index) + 1;

    /// <summary>How many addresses <paramref name="bmc"/> lies past <paramref name="first"/>, or null if it is not one of them.</summary>
    private static int? Offset(IPAddress first, BmcView? bmc)
    {
        if (bmc is null || !IPAddress.TryParse(bmc.Address, out var address) || address.AddressFamily != first.AddressFamily) return null;
        var offset = (long)Value(address) - Value(first);
        return offset is >= 0 and <= int.MaxValue ? (int)offset : null;
    }

    private static uint Value(IPAddress address)
    {
        var b = address.GetAddressBytes();
        return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
    }
}
