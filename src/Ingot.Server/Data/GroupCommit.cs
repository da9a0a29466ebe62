using System.Collections.Concurrent;
using System.Data;
using Microsoft.Data.Sqlite;
using Ingot.Server.Api;

namespace Ingot.Server.Data;

/// <summary>SQLite's writes, committed in groups. SQLite has one writer at a time and, with synchronous=FULL, pays
/// one fsync per commit — milliseconds each, whatever the transaction's size. So the writes of this process queue here
/// and whoever finds no group running becomes its leader: it opens one transaction, runs every queued write in it,
/// each inside its own savepoint, and commits once for all of them. A write that fails is rolled back to its savepoint
/// alone and its caller gets the exception; the others still commit. Callers see their result only after the group's
/// commit, so a returned write is as durable as before — only cheaper. Writes run one after another in arrival order,
/// each seeing the ones before it, exactly as if each had its own transaction in that order.</summary>
/// <remarks>Nothing waits to fill a group: a write that arrives at an idle writer runs at once, alone. Groups form
/// only from writes that arrived while the previous group ran — under load, which is when fsyncs are the bottleneck
/// (docs/BENCHMARKS.md, batches). Other processes on the same file still meet SQLite's busy handler.</remarks>
internal sealed class GroupCommit(Func<CancellationToken, Task<SqliteConnection>> open)
{
    /// <summary>A group's size limit, so the first write of a long queue is not held back indefinitely.</summary>
    private const int MaxWritesPerGroup = 256;

    private readonly ConcurrentQueue<IWrite> queue = new();
    private int leading;

    public Task<T> RunAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var write = new Write<T>(work, ct);
        queue.Enqueue(write);
        _ = LeadAsync();
        return write.Task;
    }

    /// <summary>Runs groups until the queue is empty, unless another caller already does.</summary>
    private async Task LeadAsync()
    {
        while (!queue.IsEmpty && Interlocked.CompareExchange(ref leading, 1, 0) == 0)
        {
            try
            {
                while (!queue.IsEmpty) await RunGroupAsync();
            }
            finally
            {
                Volatile.Write(ref leading, 0);
            }
            // A write enqueued after the last check but before leading was cleared is picked up by the loop condition.
        }
    }

    private async Task RunGroupAsync()
    {
        if (!queue.TryDequeue(out var first)) return;
        // The first write is taken before the database is opened: if opening fails, it fails with it (rather than the
        // leader trying again and again while it waits in the queue).
        var group = new List<IWrite> { first };
        try
        {
            await using var connection = await open(CancellationToken.None);
            await using var transaction = connection.BeginTransaction(IsolationLevel.Serializable, deferred: false);
            for (IWrite? write = first; write is not null; write = group.Count < MaxWritesPerGroup && queue.TryDequeue(out var next) ? next : null)
            {
                if (write != first) group.Add(write);
                // A caller that gave up while queued gets its cancellation; its work never runs.
                if (write.Token.IsCancellationRequested) { write.Failed(new OperationCanceledException(write.Token)); continue; }
                transaction.Save("write");
                try
                {
                    await write.RunAsync(connection, transaction);
                    transaction.Release("write");
                }
                catch (Exception e)
                {
                    transaction.Rollback("write");
                    transaction.Release("write");
                    write.Failed(e);
                }
            }
            await transaction.CommitAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            // Opening, a savepoint's rollback or the commit failed: nothing of the group is committed.
            // Each of its writes gets the exception; the leader goes on with the queue.
            foreach (var write in group) write.Failed(e);
        }
        finally
        {
            foreach (var write in group) write.Committed();
        }
    }

    private interface IWrite
    {
        CancellationToken Token { get; }
        Task RunAsync(SqliteConnection connection, SqliteTransaction transaction);
        void Failed(Exception e);
        /// <summary>Hands the result over, unless the write failed (then its exception already went).</summary>
        void Committed();
    }

    private sealed class Write<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken ct) : IWrite
    {
        private readonly TaskCompletionSource<T> done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T result = default!;
        private Exception? error;

        public Task<T> Task => done.Task;

        public CancellationToken Token => ct;

        public async Task RunAsync(SqliteConnection connection, SqliteTransaction transaction) => result = await work(connection, transaction);

        public void Failed(Exception e) => error ??= e;

        public void Committed()
        {
            if (error is OperationCanceledException cancelled) done.TrySetCanceled(cancelled.CancellationToken);
            else if (error is not null) done.TrySetException(error);
            else done.TrySetResult(result);
        }
    }
}
