using System.Globalization;
using Ingot.Client;

namespace Ingot.Bench;

/// <summary>Where a request's time went, from its install jobs' own timestamps (server clock, GET /api/v1/jobs): the
/// first round (the 202's jobs), the installs that ran out of attempts, and the replacements the reconciler queued for
/// them. The time to fulfilled is the slowest slot, so the failed installs and their replacements are its critical path.</summary>
public static class RequestE2eJobs
{
    /// <param name="fleetIndex">Hardware name → index in the simulated fleet, to tell the faulty machines.</param>
    public static List<(string Measure, string Value)> Rows(RequestE2eWait.Outcome run, IReadOnlyDictionary<long, JobView> all,
                                                              IReadOnlyDictionary<string, int> fleetIndex, IReadOnlySet<int> failing)
    {
        var firstIds = run.Posted.Machines.Where(m => m.JobId is not null).Select(m => m.JobId!.Value).ToHashSet();
        var jobs = run.Last.Machines.Where(m => m.JobId is { } id && all.ContainsKey(id)).Select(m => all[m.JobId!.Value]).ToList();
        var first = jobs.Where(j => firstIds.Contains(j.Id)).ToList();
        var replacements = jobs.Where(j => !firstIds.Contains(j.Id)).ToList();
        var failed = jobs.Where(j => j.Status == JobStatus.Failed).ToList();
        var at = run.Last.CreatedAt;
        var faultyPicked = run.Posted.Machines.Count(m => failing.Contains(fleetIndex[m.HardwareName]));
        var ended = jobs.Where(j => j.EndedAt is not null).ToList();
        return
        [
            ("install jobs: first round + replacements; attempts in all", F($"{first.Count:N0} + {replacements.Count:N0}; {jobs.Sum(j => j.Attempt):N0} attempts")),
            ("first round: machines picked whose installer always fails", F($"{faultyPicked:N0} of {run.Posted.Machines.Count:N0}")),
            ("first-round installs that succeeded, queued → ended, p50 / max", Seconds(first.Where(j => j.Status == JobStatus.Succeeded), j => j.EndedAt - j.CreatedAt)),
            ("installs out of attempts (machine left broken), queued → ended, p50 / max", F($"{failed.Count:N0}; ") + Seconds(failed, j => j.EndedAt - j.CreatedAt)),
            ("replacements queued, after the request's created_at, p50 / max", Seconds(replacements, j => j.CreatedAt - at)),
            ("replacement installs that failed too", F($"{replacements.Count(j => j.Status == JobStatus.Failed):N0} of {replacements.Count:N0}")),
            ("last install ended, after the request's created_at", ended.Count == 0 ? "none" : F($"{(ended.Max(j => j.EndedAt!.Value) - at).TotalSeconds:F1} s")),
        ];
    }

    private static string Seconds(IEnumerable<JobView> jobs, Func<JobView, TimeSpan?> span)
    {
        var sorted = JobTimings.Sorted(jobs.Select(span).Where(s => s is not null).Select(s => s!.Value.TotalSeconds));
        return sorted.Length == 0 ? "none" : F($"{JobTimings.Percentile(sorted, 0.5):F1} / {sorted[^1]:F1} s");
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
