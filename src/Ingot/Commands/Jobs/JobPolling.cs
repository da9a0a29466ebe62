using Ingot.Client;

namespace Ingot.Commands.Jobs;

/// <summary>Follows jobs until every one has ended, by polling the server: jobs run on the server's workers,
/// and the API has no push channel for their progress.</summary>
internal static class JobPolling
{
    // Often enough that a person sees each step as it happens, seldom enough not to load the server.
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    // A watch of hundreds of jobs should not take a round trip per job per round, one after another.
    private const int MaxInFlight = 8;

    /// <summary>Reports the latest view of every job after each round, and returns them once all have ended.</summary>
    public static async Task<IReadOnlyList<JobView>> UntilEndedAsync(
        IngotClient client, IReadOnlyList<JobView> jobs, Func<IReadOnlyList<JobView>, Task> onRound, CancellationToken ct)
    {
        var latest = jobs.ToArray();
        await onRound(latest);
        while (latest.Any(j => !JobTable.Ended(j)))
        {
            await Task.Delay(Interval, ct);
            var open = Enumerable.Range(0, latest.Length).Where(i => !JobTable.Ended(latest[i]));
            await Parallel.ForEachAsync(open, new ParallelOptions { MaxDegreeOfParallelism = MaxInFlight, CancellationToken = ct },
                async (i, token) => latest[i] = await client.GetJobAsync(latest[i].Id, token));
            await onRound(latest);
        }
        return latest;
    }
}
