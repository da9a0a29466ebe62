using Ingot.Client;
using Ingot.Server.Inventory;
using static Ingot.Client.MachineState;
using static Ingot.Client.Trigger;

namespace Ingot.Server.Tests.Inventory;

/// <summary>The lifecycle table against DESIGN.md §2, row by row, written out here independently of the
/// table's own construction so that a change to either shows up.</summary>
public sealed class LifecycleTableTests
{
    public static readonly (MachineState From, Trigger Trigger, MachineState To)[] Expected =
    [
        (New, Commission, Available),
        (Available, Allocate, Allocated),
        (Allocated, Install, Installing),
        (Installing, FinishInstall, InUse),
        (InUse, Reimage, Installing),
        (InUse, Recycle, Recycling),
        (Recycling, FinishRecycle, Available),
        (Broken, Repair, Available),
        // Issue 11 A.3: where a cancelled job leaves a machine it had moved.
        (Installing, Abandon, Allocated), (Recycling, Recycle, Recycling),
        // Issue 13: an allocated machine given back (a cancelled request) is wiped and returned.
        (Allocated, Recycle, Recycling),
        // Issue 13: reclaim wipes a defunct (broken, idle) machine back to available.
        (Broken, Recycle, Recycling),
        (New, Fail, Broken), (Available, Fail, Broken), (Allocated, Fail, Broken), (Installing, Fail, Broken),
        (InUse, Fail, Broken), (Recycling, Fail, Broken),
        (New, Decommission, Decommissioned), (Available, Decommission, Decommissioned),
        (Allocated, Decommission, Decommissioned), (InUse, Decommission, Decommissioned),
        (Recycling, Decommission, Decommissioned), (Broken, Decommission, Decommissioned),
    ];

    public static TheoryData<MachineState, Trigger> AllPairs()
    {
        var data = new TheoryData<MachineState, Trigger>();
        foreach (var state in Enum.GetValues<MachineState>())
            foreach (var trigger in Enum.GetValues<Trigger>())
                data.Add(state, trigger);
        return data;
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void Every_state_and_trigger_is_legal_exactly_when_the_design_says_so(MachineState from, Trigger trigger)
    {
        var expected = Expected.Where(e => e.From == from && e.Trigger == trigger).Select(e => (MachineState?)e.To).SingleOrDefault();
        var legal = Lifecycle.TryNext(from, trigger, out var to);
        Assert.Equal(expected is not null, legal);
        if (legal) Assert.Equal(expected, to);
        Assert.Equal(legal, Lifecycle.Allowed(from).Contains(trigger));
    }

    [Fact]
    public void The_table_has_no_rows_beyond_the_design() =>
        Assert.Equal(Expected.Length, Lifecycle.Table.Count);

    [Fact]
    public void Decommissioned_is_terminal() => Assert.Empty(Lifecycle.Allowed(Decommissioned));
}
