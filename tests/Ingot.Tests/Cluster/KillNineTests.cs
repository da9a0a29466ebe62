using System.Diagnostics;
using Ingot.Client;
using Ingot.Simulator;
using Xunit.Abstractions;

namespace Ingot.Tests.Cluster;

/// <summary>A node killed with SIGKILL in the middle of its jobs: no shutdown code runs, so its leases are left to
/// expire, and the next node reaps them and resumes each job at its first unfinished step. Power steps are "ensure
/// off"/"ensure on", so a resumed power_cycle must not cycle its machine a second time.</summary>
[Collection(ClusterCollection.Name)]
public sealed class KillNineTests(ITestOutputHelper output)
{
    private const int Machines = 500;

    [Fact]
    public async Task A_node_killed_mid_run_leaves_no_job_lost_stuck_or_run_twice_after_another_node_takes_over()
    {
        // BMCs answer 20 to 200 ms late, so a power cycle (session, read, off, polls, read, on, polls) takes about a
        // second and many jobs are inside a step at the kill. The latencies differ so that jobs started together
        // drift apart and the kill finds them at every point of the plan: in power_off, between the steps, in
        // power_on before and after the BMC applied it. The 2 s lease keeps the take-over short.
        var clock = Stopwatch.StartNew();
        await using var cluster = await ClusterRun.StartAsync(Machines, ClusterCollection.FastJobs(workers: 100, leaseSeconds: 2),
            faults: i => new BmcFaults { Latency = TimeSpan.FromMilliseconds(20 + i * 37 % 181) }, severalNodes: false);
        var first = await cluster.StartNodeAsync();
        await cluster.ImportMachinesAsync(first);
        var ledger = new JobLedger(cluster);
        await ledger.SubmitAsync([first], JobActions.PowerCycle);

        var (queued, running) = await WaitForMidRunAsync(cluster, first, ledger);
        await ledger.SampleOwnersAsync(); // which jobs the dying node holds
        var heldAtKill = ledger.SeenHeldBy(first);
        first.Kill();
        output.WriteLine($"{cluster.Store.Engine}: killed {first.Name} after {clock.Elapsed.TotalSeconds:0.0} s with {queued} queued, " +
                         $"{running} running ({heldAtKill} seen held by it), {Machines - queued - running} ended");

        var second = await cluster.StartNodeAsync();
        await ledger.WaitUntilDrainedAsync(cluster.Client(second), TimeSpan.FromSeconds(40));

        await ledger.AssertEachMachineCycledOnceAsync(cluster.Client(second));
        // A job inside a step at the kill runs that step again on the second node (its step attempt is 2): proof
        // that the test killed work in flight rather than between jobs.
        var jobs = await ledger.AllAsync(cluster.Client(second));
        output.WriteLine($"all jobs ended after {clock.Elapsed.TotalSeconds:0.0} s; {jobs.Count(j => j.Steps.Any(s => s.Attempt >= 2))} jobs re-ran a step");
        Assert.True(jobs.Any(j => j.Steps.Any(s => s.Attempt >= 2)),
            $"no step ran twice, so no job was taken over mid-step (at the kill: {queued} queued, {running} running, " +
            $"{heldAtKill} held by {first.Name})\n{cluster.Logs()}");
    }

    /// <summary>Waits until at least 150 jobs have ended and at least 20 are running, so the kill lands mid-run.</summary>
    private static async Task<(long Queued, long Running)> WaitForMidRunAsync(ClusterRun cluster, ServeProcess node, JobLedger ledger)
    {
        var client = cluster.Client(node);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var (queued, running) = await JobLedger.LoadAsync(client);
            var ended = ledger.Jobs.Count - queued - running;
            if (ended >= 150 && running >= 20) return (queued, running);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30) && !node.HasExited,
                $"never mid-run: {ended} ended, {running} running, {queued} queued\n{cluster.Logs()}");
            await Task.Delay(50);
        }
    }
}
