using Ingot.Server.Data;

namespace Ingot.Server.Batches;

/// <summary>Which machines active batches hold. A machine is held by the batch whose job on it has not ended, and the
/// unique partial index <c>jobs_one_active_batch_per_machine</c> (migration 0005) is the overlap rule: the database,
/// not a lock in some process, refuses a second batch's job on a machine (DESIGN.md §4.3). The job's end releases it.</summary>
public static class BatchClaims
{
    /// <summary>The machines among <paramref name="machineIds"/> another batch holds, with that batch.</summary>
    public static async Task<Dictionary<long, long>> HeldAsync(DataContext c, IReadOnlyList<long> machineIds)
    {
        // SQLite without statistics preferred the status index — a walk over every queued job per batch, which made
        // acceptance slower as the queue grew (bench/run.sh batches) — so it is told which index answers this.
        var index = Sql.IndexedBy(c, "jobs_one_active_batch_per_machine");
        var held = await c.QueryAsync<(long MachineId, long BatchId)>(
            $"""
            SELECT machine_id, batch_id FROM jobs{index}
            WHERE {Sql.AnyOf(c, "machine_id", "ids")} AND batch_id IS NOT NULL AND status IN ('queued', 'running')
            """, new { ids = Sql.List(machineIds) });
        return held.ToDictionary(h => h.MachineId, h => h.BatchId);
    }

    /// <summary>A batch's jobs are written in ascending machine id order, whatever order the hosts were listed in: two
    /// PostgreSQL transactions claiming overlapping sets in opposite orders would each wait on an index key the other
    /// holds — a deadlock, aborted as an error (found by Cluster/BatchOverlapTests) — where in one order the second
    /// simply waits for the first and then meets its unique violation.</summary>
    public static IReadOnlyList<T> InClaimOrder<T>(IEnumerable<T> machines, Func<T, long> id) => [.. machines.OrderBy(id)];
}
