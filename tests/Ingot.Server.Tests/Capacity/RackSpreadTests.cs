using Ingot.Server.Capacity;
using static Ingot.Server.Capacity.RackSpread;

namespace Ingot.Server.Tests.Capacity;

public sealed class RackSpreadTests
{
    private static List<Candidate> Machines(params (string? Rack, int Count)[] racks)
    {
        var id = 0;
        return [.. racks.SelectMany(r => Enumerable.Range(0, r.Count).Select(_ => new Candidate(++id, r.Rack)))];
    }

    [Fact]
    public void Picks_go_round_the_racks_and_none_holds_more_than_its_share()
    {
        var (picked, share) = Pick(Machines(("a", 5), ("b", 5), ("c", 1)), new Dictionary<string, int>(), count: 6, wanted: 6, spread: true);
        Assert.Equal(2, share);
        Assert.Equal(["a", "a", "b", "b", "c"], picked.Select(p => p.Rack).Order());
        // The lowest ids of each rack, so that the choice is the same every time.
        Assert.Equal([1, 2, 6, 7, 11], picked.Select(p => p.Id).Order());
    }

    [Fact]
    public void Without_spread_machines_stack_in_a_rack_once_the_others_run_out()
    {
        var (picked, share) = Pick(Machines(("a", 5), ("b", 1)), new Dictionary<string, int>(), count: 4, wanted: 4, spread: false);
        Assert.Equal(int.MaxValue, share);
        Assert.Equal(["a", "a", "a", "b"], picked.Select(p => p.Rack).Order());
    }

    [Fact]
    public void Machines_the_request_holds_already_count_against_their_rack()
    {
        // A replacement for a machine of rack b: rack a holds its share of 2 already.
        var held = new Dictionary<string, int> { ["a"] = 2, ["b"] = 1 };
        var (picked, _) = Pick(Machines(("a", 3), ("b", 3)), held, count: 4, wanted: 1, spread: true);
        Assert.Equal("b", Assert.Single(picked).Rack);
    }

    [Fact]
    public void Machines_in_no_rack_are_one_rack_together()
    {
        var (picked, share) = Pick(Machines((null, 4), ("a", 4)), new Dictionary<string, int>(), count: 4, wanted: 4, spread: true);
        Assert.Equal(2, share);
        Assert.Equal(2, picked.Count(p => p.Rack is null));
    }
}
