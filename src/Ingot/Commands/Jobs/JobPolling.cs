using Ingot.Client;

namespace Ingot.Commands.Jobs;

/// <summary>Follows jobs until every one has ended. The server's event stream says when a watched job moves (started,
/// retrying, ended), and the job is read again at once; a running job is also read each second for its steps, which
/// write no events. Against a server without the stream (or while it is away), every open job is read each 250 ms.</summary>
internal static class JobPolling
{
    // Often enough that a person sees each step as it happens, seldom enough not to load the server.
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    // With the stream: steps' progress only (their ends come as the job's events when they matter).
    private static readonly TimeSpan StreamingInterval = TimeSpan.FromSeconds(1);

    // A watch of hundreds of jobs should not take a round trip per job per round, one after another.
    private const int MaxInFlight = 8;

    /// <summary>Reports the latest view of every job after each round, and returns them once all have ended.</summary>
    public static async Task<IReadOnlyList<JobView>> UntilEndedAsync(
        IngotClient client, IReadOnlyList<JobView> jobs, Func<IReadOnlyList<JobView>, Task> onRound, CancellationToken ct)
    {
        var latest = jobs.ToArray();
        await onRound(latest);
        if (latest.All(JobTable.Ended)) return latest;
        var watched = latest.Select(j => j.Id).ToHashSet();
        var machines = latest.Select(j => j.Target.MachineId).Distinct().ToList();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var moved = new SemaphoreSlim(0);
        var stream = Task.Run(async () =>
        {
            var query = new EventQuery(Types: "job.*", Machine: machines.Count == 1 ? machines[0] : null);
            await foreach (var e in client.StreamEventsAsync(query, stop.Token))
                if (e.Data.TryGetProperty("job_id", out var id) && watched.Contains(id.GetInt64())) moved.Release();
        }, CancellationToken.None);
        try
        {
            while (latest.Any(j => !JobTable.Ended(j)))
            {
                var wait = stream.IsFaulted || stream.IsCompleted ? Interval : StreamingInterval;
                await moved.WaitAsync(wait, ct);
                while (moved.CurrentCount > 0) await moved.WaitAsync(ct); // one read covers every event that came meanwhile
                var open = Enumerable.Range(0, latest.Length).Where(i => !JobTable.Ended(latest[i]));
                await Parallel.ForEachAsync(open, new ParallelOptions { MaxDegreeOfParallelism = MaxInFlight, CancellationToken = ct },
                    async (i, token) => latest[i] = await client.GetJobAsync(latest[i].Id, token));
                await onRound(latest);
            }
            return latest;
        }
        finally
        {
            await stop.CancelAsync();
            try { await stream; }
            catch (Exception) { /* the stream ends with the watch; a server without it was read by polling */ }
        }
    }
}
