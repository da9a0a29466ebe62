using System.Globalization;
using Ingot.Client;

namespace Ingot.Bench;

/// <summary>The broker's own timestamps of each job (created_at, started_at, ended_at, all from the server's clock),
/// read back through GET /api/v1/jobs like any client would, and the figures the benchmark derives from them.</summary>
public sealed class JobTimings(IReadOnlyList<JobView> jobs)
{
    public int Count => jobs.Count;
    public int Failed => jobs.Count(j => j.Status != JobStatus.Succeeded);

    public static async Task<Dictionary<long, JobView>> ListAllAsync(IngotClient client)
    {
        var all = new Dictionary<long, JobView>();
        string? after = null;
        do
        {
            var page = await client.ListJobsAsync(new JobQuery(Limit: 1000, After: after));
            foreach (var job in page.Items) all[job.Id] = job;
            after = page.Next;
        } while (after is not null);
        return all;
    }

    /// <summary>First submitted (created_at) to last ended, in seconds.</summary>
    public double Span => (jobs.Max(j => j.EndedAt!.Value) - jobs.Min(j => j.CreatedAt)).TotalSeconds;

    public double[] QueuedToStartedMs => Sorted(jobs.Select(j => (j.StartedAt!.Value - j.CreatedAt).TotalMilliseconds));

    public double[] StartedToEndedMs => Sorted(jobs.Select(j => (j.EndedAt!.Value - j.StartedAt!.Value).TotalMilliseconds));

    /// <summary>The most jobs of this set running at one moment (sampled at each start): under the worker count
    /// means no job of the set ever waited for a free worker.</summary>
    public int MaxRunning => jobs.Max(j => jobs.Count(o => o.StartedAt <= j.StartedAt && j.StartedAt < o.EndedAt));

    public static double[] Sorted(IEnumerable<double> values)
    {
        var array = values.ToArray();
        Array.Sort(array);
        return array;
    }

    public static double Percentile(double[] sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(sorted.Length * p) - 1)];

    /// <summary>"p50 / p99" of sorted milliseconds.</summary>
    public static string P50P99(double[] sorted) =>
        string.Create(CultureInfo.InvariantCulture, $"{Percentile(sorted, 0.5):F1} / {Percentile(sorted, 0.99):F1} ms");
}
