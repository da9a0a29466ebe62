namespace Ingot.Server.Capacity;

/// <summary>Which machines a request takes (DESIGN.md §5: spread over racks). Each pick goes to the rack holding the
/// fewest of the request's machines so far, lowest machine id first within a rack; with <c>spread</c> no rack goes past
/// its share: the request's count over the racks that have such machines, rounded up. Pure, so the rule is tested on
/// its own (RackSpreadTests) and the allocator only feeds it rows.</summary>
public static class RackSpread
{
    /// <summary>An available machine; <see cref="Rack"/> null for one in no rack (they count as one rack together).</summary>
    public sealed record Candidate(long Id, string? Rack);

    /// <param name="held">How many of the request's machines each rack already holds ("" for no rack).</param>
    /// <returns>The picks, at most <paramref name="wanted"/>, and the share (int.MaxValue without spread).</returns>
    public static (List<Candidate> Picked, int Share) Pick(IReadOnlyList<Candidate> candidates, IReadOnlyDictionary<string, int> held,
                                                           int count, int wanted, bool spread)
    {
        var queues = candidates.GroupBy(c => c.Rack ?? "").ToDictionary(g => g.Key, g => new Queue<Candidate>(g.OrderBy(c => c.Id)));
        var racks = queues.Keys.Union(held.Keys).Count();
        var share = spread && racks > 0 ? (count + racks - 1) / racks : int.MaxValue;
        var taken = held.ToDictionary(h => h.Key, h => h.Value);
        var picked = new List<Candidate>(Math.Min(wanted, candidates.Count));
        while (picked.Count < wanted)
        {
            var rack = queues.Where(q => q.Value.Count > 0 && taken.GetValueOrDefault(q.Key) < share)
                .OrderBy(q => taken.GetValueOrDefault(q.Key)).ThenBy(q => q.Key, StringComparer.Ordinal).Select(q => q.Key).FirstOrDefault();
            if (rack is null) break;
            picked.Add(queues[rack].Dequeue());
            taken[rack] = taken.GetValueOrDefault(rack) + 1;
        }
        return (picked, share);
    }
}
