namespace Ingot.Server.Data;

/// <summary>Deleting old rows without holding a long lock: one short write per batch, until a batch comes back short.
/// Every node may prune at once: a row two nodes both pick is deleted once, and the other finds it gone.</summary>
public static class Pruning
{
    /// <param name="deleteBatch">A DELETE of at most <c>@batch</c> rows older than <c>@before</c> (its rows picked by a
    /// sub-select with <c>LIMIT @batch</c>, which both engines take).</param>
    /// <returns>How many rows went.</returns>
    public static async Task<long> DeleteInBatchesAsync(Database db, string deleteBatch, DateTimeOffset before, int batch, CancellationToken ct)
    {
        long total = 0;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var deleted = await db.WriteAsync(c => c.ExecuteAsync(deleteBatch, new { before, batch }), ct);
            total += deleted;
            if (deleted < batch) return total;
        }
    }

    /// <summary>Deletes the rows of <paramref name="table"/> whose <c>at</c> is before <paramref name="before"/>, oldest
    /// first, in short batches: for logs that are kept by age alone (an index on <c>at</c> keeps each batch short).</summary>
    public static Task<long> DeleteOlderAsync(Database db, string table, DateTimeOffset before, int batch, CancellationToken ct) =>
        DeleteInBatchesAsync(db, $"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} WHERE at < @before ORDER BY at LIMIT @batch)", before, batch, ct);
}
