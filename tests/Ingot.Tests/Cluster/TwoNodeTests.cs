using System.Diagnostics;
using Ingot.Client;
using Xunit.Abstractions;

namespace Ingot.Tests.Cluster;

/// <summary>Two `ingot serve` processes on one database share the queue: a thousand power cycles, submitted through
/// both, each run exactly once between them.</summary>
[Collection(ClusterCollection.Name)]
public sealed class TwoNodeTests(ITestOutputHelper output)
{
    private const int Machines = 1000;

    [Fact]
    public async Task Two_nodes_on_one_database_cycle_each_of_1000_machines_exactly_once_and_both_run_jobs()
    {
        // A 5 s lease rather than the default 30 s: a node whose heartbeat falls behind loses its jobs to the other
        // node within the run, so a double run through a lease take-over would show up here.
        var clock = Stopwatch.StartNew();
        await using var cluster = await ClusterRun.StartAsync(Machines, ClusterCollection.FastJobs(workers: 32, leaseSeconds: 5));
        var a = await cluster.StartNodeAsync();
        var b = await cluster.StartNodeAsync();
        await cluster.ImportMachinesAsync(a);
        var ledger = new JobLedger(cluster);
        output.WriteLine($"{cluster.Store.Engine}: 2 nodes up, {Machines} machines imported after {clock.Elapsed.TotalSeconds:0.0} s");

        using var stopSampling = new CancellationTokenSource();
        var sampling = ledger.SampleOwnersUntilAsync(stopSampling.Token);
        await ledger.SubmitAsync([a, b], JobActions.PowerCycle);
        // The run takes 10-25 s; the limit leaves room for test.sh running other test projects beside this one.
        await ledger.WaitUntilDrainedAsync(cluster.Client(b), TimeSpan.FromSeconds(60));
        await stopSampling.CancelAsync();
        await sampling;
        output.WriteLine($"all jobs ended after {clock.Elapsed.TotalSeconds:0.0} s; sampled holders: {a.Name} {ledger.SeenHeldBy(a)} jobs, {b.Name} {ledger.SeenHeldBy(b)}");

        Assert.False(a.HasExited || b.HasExited, "a node died during the run\n" + cluster.Logs());
        await ledger.AssertEachMachineCycledOnceAsync(cluster.Client(a));
        // Which node ran a job is not in the API, and a finished job's lease is cleared: the ledger sampled the
        // lease owners (host:pid:suffix) of running jobs every 100 ms. Each node has 32 workers for 1,000 jobs,
        // so neither can run them all.
        Assert.True(ledger.SeenHeldBy(a) > 0 && ledger.SeenHeldBy(b) > 0,
            $"expected both nodes to run jobs; sampled lease owners: {string.Join(", ", ledger.Owners.Select(o => $"{o.Key} ({o.Value.Count} jobs)"))}" +
            $"\n(node pids {a.ProcessId}, {b.ProcessId})\n{cluster.Logs()}");
    }
}
