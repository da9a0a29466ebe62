using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Ingot.Client;

namespace Ingot.Tests.Cluster;

/// <summary>The jobs a cluster test submitted (one per machine) and what became of them: submission through the
/// nodes' API, waiting until the queue has drained, and the checks every reliability test makes at the end —
/// each job succeeded, each BMC booted exactly once, nothing left running. Failure messages name the jobs and their
/// steps, and quote the nodes' logs.</summary>
public sealed class JobLedger(ClusterRun cluster)
{
    private readonly ConcurrentDictionary<long, int> bmcOfJob = new();
    private readonly ConcurrentDictionary<string, HashSet<long>> jobsOfOwner = new();

    /// <summary>Each submitted job's BMC index (= machine index), by job id.</summary>
    public IReadOnlyDictionary<long, int> Jobs => bmcOfJob;

    /// <summary>Lease owners (node ids, "host:pid:suffix") seen holding jobs, with the jobs seen under each.</summary>
    public IReadOnlyDictionary<string, HashSet<long>> Owners => jobsOfOwner;

    /// <summary>One <paramref name="action"/> job per machine, machine i submitted through node i mod N, a few
    /// requests at a time (as many users of a cluster would).</summary>
    public async Task SubmitAsync(IReadOnlyList<ServeProcess> via, string action, int parallel = 8)
    {
        var clients = via.Select(cluster.Client).ToArray();
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, cluster.Machines.Count), new ParallelOptions { MaxDegreeOfParallelism = parallel },
                async (i, ct) =>
                {
                    var job = await clients[i % clients.Length].SubmitJobAsync(cluster.Machines[i], action, ct: ct);
                    bmcOfJob[job.Id] = i;
                });
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"submitting failed after {bmcOfJob.Count} jobs: {e.Message}\n{cluster.Logs()}", e);
        }
    }

    /// <summary>Queued and running jobs as a node reports them (the broker's view of the whole database).</summary>
    public static async Task<(long Queued, long Running)> LoadAsync(IngotClient client)
    {
        var broker = await client.GetBrokerStatusAsync();
        return (broker.Queued, broker.Running);
    }

    /// <summary>Records which node holds each running job now (see <see cref="ClusterStore.RunningLeasesAsync"/>).</summary>
    public async Task SampleOwnersAsync()
    {
        foreach (var (job, owner) in await cluster.Store.RunningLeasesAsync())
            lock (jobsOfOwner) jobsOfOwner.GetOrAdd(owner, _ => []).Add(job);
    }

    /// <summary>Samples lease owners every 100 ms until cancelled (jobs last a fraction of a second, so a slower
    /// sampler would miss a node that ran only a few).</summary>
    public async Task SampleOwnersUntilAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            await SampleOwnersAsync();
            try { await Task.Delay(100, ct); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>Polls until no job is queued or running, sampling lease owners on the way.</summary>
    public async Task WaitUntilDrainedAsync(IngotClient client, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            await SampleOwnersAsync();
            var (queued, running) = await LoadAsync(client);
            if (queued == 0 && running == 0) return;
            if (clock.Elapsed > timeout)
                Assert.Fail($"after {timeout.TotalSeconds:0} s, {queued} jobs are still queued and {running} running.\n" +
                            Describe(await AllAsync(client), j => j.Status is JobStatus.Queued or JobStatus.Running) + "\n" + cluster.Logs());
            await Task.Delay(200);
        }
    }

    /// <summary>Every job this ledger submitted, as the API shows it now.</summary>
    public async Task<IReadOnlyList<JobView>> AllAsync(IngotClient client)
    {
        var all = new List<JobView>();
        string? after = null;
        do
        {
            var page = await client.ListJobsAsync(new JobQuery(Limit: 1000, After: after));
            all.AddRange(page.Items.Where(j => bmcOfJob.ContainsKey(j.Id)));
            after = page.Next;
        } while (after is not null);
        return all;
    }

    /// <summary>The end state every reliability test wants: each job succeeded, nothing is left queued or running,
    /// and each BMC booted exactly once (power_cycle is off then on: a job that ran twice boots its machine twice).</summary>
    public async Task AssertEachMachineCycledOnceAsync(IngotClient client)
    {
        var jobs = await AllAsync(client);
        Assert.True(jobs.Count == bmcOfJob.Count, $"the API lists {jobs.Count} of the {bmcOfJob.Count} jobs submitted");
        var failures = new StringBuilder();
        var notSucceeded = jobs.Where(j => j.Status != JobStatus.Succeeded).ToList();
        if (notSucceeded.Count > 0)
            failures.AppendLine($"{notSucceeded.Count} jobs did not succeed:").AppendLine(Describe(notSucceeded, _ => true));
        var byBmc = jobs.ToDictionary(j => bmcOfJob[j.Id]);
        var wrongBoots = Enumerable.Range(0, cluster.Fleet.Bmcs.Count).Where(i => cluster.Fleet.Bmcs[i].Boots != 1).ToList();
        if (wrongBoots.Count > 0)
        {
            failures.AppendLine($"{wrongBoots.Count} BMCs did not boot exactly once:");
            foreach (var i in wrongBoots.Take(20))
            {
                var bmc = cluster.Fleet.Bmcs[i];
                failures.AppendLine($"  {bmc.Name} ({cluster.Machines[i]}): boots {bmc.Boots}, power transitions {bmc.PowerTransitions}, power now {bmc.Power}");
                if (byBmc.TryGetValue(i, out var job)) failures.AppendLine(Describe([job], _ => true));
            }
        }
        Assert.True(failures.Length == 0, failures + "\n" + cluster.Logs());
    }

    /// <summary>Jobs (at most 20 shown) with their status, attempt, error and every step's status, attempt and message.</summary>
    public string Describe(IEnumerable<JobView> jobs, Func<JobView, bool> which)
    {
        var shown = jobs.Where(which).ToList();
        var text = new StringBuilder();
        foreach (var j in shown.Take(20))
        {
            text.Append($"  job {j.Id} on {j.Target.HardwareName}: {j.Status}, attempt {j.Attempt}/{j.MaxAttempts}");
            if (j.Error is not null) text.Append($", error: {j.Error}");
            text.AppendLine();
            foreach (var s in j.Steps)
                text.AppendLine($"    {s.Name}: {s.Status}, attempt {s.Attempt}, {s.StartedAt:HH:mm:ss.fff}–{s.EndedAt:HH:mm:ss.fff} {s.Message}");
            var owners = jobsOfOwner.Where(o => o.Value.Contains(j.Id)).Select(o => o.Key).ToList();
            if (owners.Count > 0) text.AppendLine($"    seen held by: {string.Join(", ", owners)}");
        }
        if (shown.Count > 20) text.AppendLine($"  … and {shown.Count - 20} more");
        return text.ToString();
    }

    /// <summary>How many sampled jobs a node (by process id) was seen holding.</summary>
    public int SeenHeldBy(ServeProcess node) =>
        jobsOfOwner.Where(o => o.Key.Split(':') is [.., var pid, _] && pid == node.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Sum(o => o.Value.Count);
}
