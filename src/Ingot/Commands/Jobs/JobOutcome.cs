using Ingot.Client;

namespace Ingot.Commands.Jobs;

/// <summary>How a verb that waited for jobs ends: each failed or cancelled job's reason on stderr, and an exit
/// code a script can test.</summary>
internal static class JobOutcome
{
    /// <summary>Some job failed or was cancelled (the same code as a refused request: the work was not done).</summary>
    public const int Unsuccessful = 1;

    public static async Task<int> ReportAsync(Output output, IReadOnlyList<JobView> jobs, CancellationToken ct)
    {
        foreach (var j in jobs)
        {
            var what = $"job {j.Id} ({j.Action} on {JobTable.Host(j.Target)})";
            if (j.Status == JobStatus.Failed)
                await output.NoteAsync($"error: {what} failed: {j.Error ?? "no error recorded"}", ct);
            else if (j.Status == JobStatus.Cancelled)
                await output.NoteAsync($"error: {what} was cancelled{(j.CancelledBy is { } by ? " by " + by : "")}.", ct);
        }
        return jobs.All(j => j.Status == JobStatus.Succeeded) ? 0 : Unsuccessful;
    }

    /// <summary>"2 succeeded, 1 failed, 0 cancelled".</summary>
    public static string Counts(IReadOnlyList<JobView> jobs) =>
        $"{jobs.Count(j => j.Status == JobStatus.Succeeded)} succeeded, {jobs.Count(j => j.Status == JobStatus.Failed)} failed, " +
        $"{jobs.Count(j => j.Status == JobStatus.Cancelled)} cancelled";
}
