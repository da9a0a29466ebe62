using Ingot.Client;

namespace Ingot.Commands.Batches;

/// <summary>Follows a batch until it has ended, by polling: the server sums its jobs' statuses into the batch's
/// counts, so one request a round serves a batch of any size.</summary>
internal static class BatchPolling
{
    // As `jobs watch`: often enough to see progress as it happens, seldom enough not to load the server.
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    /// <summary>Reports the batch after each round, and returns it once it has ended.</summary>
    public static async Task<BatchView> UntilEndedAsync(IngotClient client, BatchView batch, Func<BatchView, Task> onRound, CancellationToken ct)
    {
        await onRound(batch);
        while (!BatchTable.Ended(batch))
        {
            await Task.Delay(Interval, ct);
            batch = await client.GetBatchAsync(batch.Id, ct);
            await onRound(batch);
        }
        return batch;
    }
}
