using System.Diagnostics;
using System.Globalization;
using Ingot.Client;
using Ingot.Server.Capacity;
using Ingot.Server.Jobs;

namespace Ingot.Bench;

/// <summary>One provisioning request as a user lives it: POST, then GET once a second until it ends (fulfilled, failed,
/// cancelled, expired) or the time limit passes. The time to fulfilled is the bench's clock from just before the POST to
/// the GET that first shows it, so it includes up to one poll period and one reconciler tick on top of the server's.</summary>
public static class RequestE2eWait
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    /// <param name="Posted">The 202: the first allocation, whose install jobs are the first round.</param>
    /// <param name="Ended">False: the time limit passed first.</param>
    /// <param name="ServerSeconds">created_at → updated_at of the last view, on the server's clock: the pass that moved it last.</param>
    public sealed record Outcome(RequestView Posted, RequestView Last, double PostMs, double Seconds, bool Ended)
    {
        public double ServerSeconds => (Last.UpdatedAt - Last.CreatedAt).TotalSeconds;
        public bool Fulfilled => Last.Status == RequestStatus.Fulfilled;
    }

    public static async Task<Outcome> RunAsync(IngotClient client, RequestCreate create, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        var posted = await client.CreateRequestAsync(create);
        var postMs = clock.Elapsed.TotalMilliseconds;
        // A timer, not a delay after each GET: the polls stay a second apart however long a GET of 1,000 lines takes.
        using var tick = new PeriodicTimer(Poll);
        var last = posted;
        var polls = 0;
        while (last.Status is not (RequestStatus.Fulfilled or RequestStatus.Failed or RequestStatus.Cancelled or RequestStatus.Expired))
        {
            if (clock.Elapsed >= limit) return new Outcome(posted, last, postMs, clock.Elapsed.TotalSeconds, Ended: false);
            await tick.WaitForNextTickAsync();
            last = await client.GetRequestAsync(posted.Id);
            if (++polls % 15 == 0)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"     {clock.Elapsed.TotalSeconds,5:F0} s: {last.Status}, in_use {last.InUse}, installing {last.Installing}, replacements {last.Replacements}"));
        }
        return new Outcome(posted, last, postMs, clock.Elapsed.TotalSeconds, Ended: true);
    }

    /// <summary>How long to wait before calling the run stuck. Not the goal (3× the install) nor 10× it: with the broker's
    /// default options one machine that always fails costs more than 10 installs on its own (<see cref="FailingMachine"/>),
    /// and its replacement may fail too, so the limit lets five failing machines in a row hold one slot — with 10 % of
    /// them faulty, a chain that long is about one in 10⁵ per slot — and never cuts a run short of 10× the install.</summary>
    public static TimeSpan Limit(int installSeconds)
    {
        var install = TimeSpan.FromSeconds(installSeconds);
        return TimeSpan.FromTicks(Math.Max(10 * install.Ticks, 5 * FailingMachine(install).Ticks + install.Ticks));
    }

    /// <summary>The most one always-failing machine can hold up its slot of a request under the default JobOptions and
    /// RequestOptions (the jobs-server child's): every attempt runs a whole install (a faulty one fails sooner), each retry
    /// waits its whole backoff (jitter only shortens it), then the reconciler's slowest tick notices the broken machine.</summary>
    public static TimeSpan FailingMachine(TimeSpan install)
    {
        var (jobs, requests) = (new JobOptions(), new RequestOptions());
        var waits = Enumerable.Range(0, jobs.MaxAttempts - 1).Sum(a => jobs.JobRetry.Delay(a, random: 0).Ticks);
        return TimeSpan.FromTicks(jobs.MaxAttempts * install.Ticks + waits) + requests.Interval * 1.2;
    }

    /// <summary>The broker's options that set a failing machine's time, as the report states them.</summary>
    public static string RetryOptions()
    {
        var (jobs, requests) = (new JobOptions(), new RequestOptions());
        var waits = string.Join(", ", Enumerable.Range(0, jobs.MaxAttempts - 1).Select(a =>
            string.Create(CultureInfo.InvariantCulture, $"{jobs.JobRetry.Delay(a, random: 0.999).TotalSeconds:F0}–{jobs.JobRetry.Delay(a, random: 0).TotalSeconds:F0} s")));
        return string.Create(CultureInfo.InvariantCulture,
            $"{jobs.MaxAttempts} attempts per install; retry waits {waits} (JobRetry {jobs.JobRetry.First.TotalSeconds:F0} s doubling, jitter up to −{jobs.JobRetry.Jitter * 100:F0} %); reconciler tick {requests.Interval.TotalSeconds:F0} s ±20 %");
    }
}
