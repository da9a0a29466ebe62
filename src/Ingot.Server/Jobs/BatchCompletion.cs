using Dapper;
using Ingot.Server.Data;
using Microsoft.Extensions.Logging;

namespace Ingot.Server.Jobs;

/// <summary>Completes the batches whose last jobs ended together, each seeing the other still open (JobEvents.
/// CompleteBatchAsync takes the batch's lock only when no other job looks open): every second, on one node at a time
/// (a loop lease), each batch not yet completed with no job left open gets its batch.completed.</summary>
public sealed class BatchCompletion(Database db, TimeProvider clock, ILogger<BatchCompletion> log)
    : LeasedLoop(LeaseName, NewHolder(), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), db, clock, log)
{
    public const string LeaseName = "batch-completion";

    protected override async Task TickAsync(CancellationToken ct)
    {
        if (!await HoldAsync(ct)) return;
        await RunOnceAsync(ct);
    }

    /// <returns>How many batches it completed.</returns>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        List<long> done;
        await using (var c = await Db.OpenAsync(ct))
            done = (await c.QueryAsync<long>(
                """
                SELECT b.id FROM batches b
                WHERE b.completed_at IS NULL AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.batch_id = b.id AND j.status IN ('queued', 'running'))
                ORDER BY b.id LIMIT 100
                """)).AsList();
        foreach (var batch in done)
            await Db.InTransactionAsync(async c =>
            {
                await JobEvents.CompleteBatchAsync(c, batch, Clock.GetUtcNow());
                return 0;
            }, ct);
        return done.Count;
    }
}
