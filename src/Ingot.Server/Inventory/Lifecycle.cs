using Ingot.Client;
using static Ingot.Client.MachineState;
using static Ingot.Client.Trigger;
using Ingot.Server.Api;

namespace Ingot.Server.Inventory;

/// <summary>The machine lifecycle of DESIGN.md §2 as one table: (from, trigger) → to. Nothing else
/// decides whether a state change is legal.</summary>
public static class Lifecycle
{
    /// <summary>Machines enter the inventory (discovery, import, create) in this state.</summary>
    public const MachineState Initial = New;

    public static IReadOnlyDictionary<(MachineState From, Trigger Trigger), MachineState> Table { get; } = Build();

    private static Dictionary<(MachineState, Trigger), MachineState> Build()
    {
        var table = new Dictionary<(MachineState, Trigger), MachineState>
        {
            [(New, Commission)] = Available,
            [(Available, Allocate)] = Allocated,
            [(Allocated, Install)] = Installing,
            [(Installing, FinishInstall)] = InUse,
            [(InUse, Reimage)] = Installing,
            [(InUse, Recycle)] = Recycling,
            // Giving back a machine that was allocated and never installed (a cancelled provisioning request, issue 13):
            // wiped all the same, since an install may have begun writing its disk before it was abandoned.
            [(Allocated, Recycle)] = Recycling,
            [(Recycling, FinishRecycle)] = Available,
            [(Broken, Repair)] = Available,
            // Reclaiming a defunct machine (issue 13): the wipe is its test. A machine that wipes cleanly is available
            // again; one that fails the wipe is broken again, with the fresh evidence.
            [(Broken, Recycle)] = Recycling,
            // A cancelled install or reimage (issue 11 A.3): the disk may hold half an image, so the machine is not in
            // use, but it is still its owner's, with its role and name: back to allocated, where 'install' starts over.
            [(Installing, Abandon)] = Allocated,
            // A cancelled recycle leaves the disks half wiped: the machine stays recycling (it boots the wipe image, not
            // its old system) and a recycle may be run again from there.
            [(Recycling, Recycle)] = Recycling,
        };
        // "Any step that exhausts its retries" can happen in every live state: commissioning a new machine,
        // installing, recycling, or a power or wipe step on a machine in any other state.
        foreach (var from in Enum.GetValues<MachineState>().Where(s => s is not (Broken or Decommissioned)))
            table[(from, Fail)] = Broken;
        // Decommission from anything but installing (an installer is writing the disk; let it end first).
        foreach (var from in Enum.GetValues<MachineState>().Where(s => s is not (Installing or Decommissioned)))
            table[(from, Decommission)] = Decommissioned;
        return table;
    }

    public static bool TryNext(MachineState from, Trigger trigger, out MachineState to) =>
        Table.TryGetValue((from, trigger), out to);

    public static IReadOnlyList<Trigger> Allowed(MachineState from) =>
        Table.Keys.Where(k => k.From == from).Select(k => k.Trigger).OrderBy(t => t).ToList();

    public static string Name(MachineState state) => Wire.Name(state);
    public static string Name(Trigger trigger) => Wire.Name(trigger);
}
