using System.Data.Common;
using Dapper;
using Ingot.Server.Data;

namespace Ingot.Server.Batches;

/// <summary>Which machines active batches hold. The table's primary key (one row per machine) is the overlap rule:
/// the database, not a lock in some process, refuses a second batch over a machine (DESIGN.md §4.3).</summary>
public static class BatchClaims
{
    /// <summary>The machines among <paramref name="machineIds"/> another batch holds, with that batch.</summary>
    public static async Task<Dictionary<long, long>> HeldAsync(DbConnection c, DbTransaction? tx, IReadOnlyList<long> machineIds)
    {
        var held = await c.QueryAsync<(long MachineId, long BatchId)>(
            $"SELECT machine_id, batch_id FROM batch_claims WHERE {Sql.AnyOf(c, "machine_id", "ids")}", new { ids = Sql.List(machineIds) }, tx);
        return held.ToDictionary(h => h.MachineId, h => h.BatchId);
    }

    /// <summary>Claims the machines in ascending id order, whatever order the hosts were listed in: two PostgreSQL
    /// transactions claiming overlapping sets in opposite orders would each wait on a key the other holds — a deadlock,
    /// aborted as an error (found by Cluster/BatchOverlapTests) — where in one order the second simply waits for the
    /// first and then meets its unique violation.</summary>
    /// <exception cref="Exception">A unique violation when another batch claimed one of the machines first.</exception>
    public static Task ClaimAsync(DbConnection c, DbTransaction tx, long batchId, IReadOnlyList<long> machineIds)
    {
        var args = new DynamicParameters(new { batchId });
        var rows = new BulkRows(("machine_id", machineIds.Order().ToArray()));
        return c.ExecuteAsync(
            $"INSERT INTO batch_claims (machine_id, batch_id) SELECT r.machine_id, @batchId FROM {rows.From(c, "r", args)} ORDER BY r.n",
            args, tx);
    }

    /// <summary>Frees the machine of a job that ended, if the job belonged to a batch.</summary>
    public static Task ReleaseAsync(DbConnection c, DbTransaction tx, long jobId) =>
        c.ExecuteAsync(
            "DELETE FROM batch_claims WHERE machine_id = (SELECT machine_id FROM jobs WHERE id = @jobId) AND batch_id = (SELECT batch_id FROM jobs WHERE id = @jobId)",
            new { jobId }, tx);
}
