using Ingot.Bmc;
using Ingot.Client;
using Ingot.Server.Tests.Jobs;

namespace Ingot.Server.Tests.Batches;

/// <summary>A batch run by the workers against simulated BMCs: its status follows its jobs, and its machines are free
/// for the next batch once their jobs end.</summary>
[Collection(BrokerCollection.Name)]
public sealed class BatchRunTests(BrokerFixture broker)
{
    [Fact]
    public async Task ABatchRuns_ToSucceeded_AndFreesItsMachines()
    {
        var machines = new List<(MachineView Machine, Simulator.SimulatedBmc Bmc)>();
        for (var i = 0; i < 3; i++) machines.Add(await broker.MachineAsync());
        string[] hosts = [.. machines.Select(m => m.Machine.HardwareName)];
        var batch = await broker.Server.Admin.SubmitBatchAsync(new BatchSubmit(JobActions.PowerCycle, hosts));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while ((batch = await broker.Server.Admin.GetBatchAsync(batch.Id, timeout.Token)).EndedAt is null)
            await Task.Delay(50, timeout.Token);
        Assert.Equal((BatchStatus.Succeeded, 3L), (batch.Status, batch.Counts.Succeeded));
        Assert.NotNull(batch.StartedAt);
        Assert.All(machines, m => Assert.Equal(1, m.Bmc.Boots));
        var late = await Assert.ThrowsAsync<IngotApiException>(() => broker.Server.Admin.CancelBatchAsync(batch.Id));
        Assert.Equal(409, late.Problem.Status); // an ended batch keeps its outcome
        Assert.Equal(BatchStatus.Succeeded, (await broker.Server.Admin.GetBatchAsync(batch.Id)).Status);

        var failing = machines[0].Bmc;
        failing.Faults = new Simulator.BmcFaults { IgnorePowerCommands = true };
        var next = await broker.Server.Admin.SubmitBatchAsync(new BatchSubmit(JobActions.PowerOff, hosts)); // free again
        while ((next = await broker.Server.Admin.GetBatchAsync(next.Id, timeout.Token)).EndedAt is null)
            await Task.Delay(50, timeout.Token);
        Assert.Equal((BatchStatus.CompletedWithErrors, 2L, 1L), (next.Status, next.Counts.Succeeded, next.Counts.Failed));
        var failed = Assert.Single((await broker.Server.Admin.GetBatchHostsAsync(next.Id, status: "failed")).Items);
        Assert.Equal(machines[0].Machine.Id, failed.MachineId);
        Assert.Contains("still reports on", failed.Error);
        failing.Faults = Simulator.BmcFaults.None;
    }

    [Fact]
    public async Task CancelMidRun_EndsTheQueuedJobAtOnce_StopsTheRunningOneAtItsStepBoundary_AndFreesBoth()
    {
        var admin = broker.Server.Admin;
        var (running, runningBmc) = await broker.MachineAsync();
        var (busy, busyBmc) = await broker.MachineAsync();
        // Slow BMCs keep steps in flight long enough to cancel in the middle of one.
        runningBmc.Faults = busyBmc.Faults = new Simulator.BmcFaults { Latency = TimeSpan.FromMilliseconds(300) };
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            // 'busy' runs a job of its own, so the batch's job on it must wait in the queue (one running job per machine).
            var own = await admin.SubmitJobAsync(busy.HardwareName, JobActions.PowerCycle);
            while ((await admin.GetJobAsync(own.Id, timeout.Token)).Status != JobStatus.Running) await Task.Delay(20, timeout.Token);
            var batch = await admin.SubmitBatchAsync(new BatchSubmit(JobActions.PowerCycle, [running.HardwareName, busy.HardwareName]));
            BatchHostView Host(IEnumerable<BatchHostView> hosts, MachineView m) => hosts.Single(h => h.MachineId == m.Id);
            // In the middle of its first step, not merely claimed (a job cancelled before any step runs stops before it).
            while (Host((await admin.GetBatchHostsAsync(batch.Id, ct: timeout.Token)).Items, running).CurrentStep != "power_off")
                await Task.Delay(20, timeout.Token);
            var bootsBefore = runningBmc.Boots;

            await admin.CancelBatchAsync(batch.Id, timeout.Token);
            var hosts = (await admin.GetBatchHostsAsync(batch.Id, ct: timeout.Token)).Items;
            Assert.Equal(JobStatus.Cancelled, Host(hosts, busy).Status); // queued: ended at once
            // ... and its machine is free at once for another batch, though its own job still runs.
            var next = await admin.SubmitBatchAsync(new BatchSubmit(JobActions.PowerOn, [busy.HardwareName]), ct: timeout.Token);
            await admin.CancelBatchAsync(next.Id, timeout.Token);

            while ((batch = await admin.GetBatchAsync(batch.Id, timeout.Token)).EndedAt is null) await Task.Delay(50, timeout.Token);
            Assert.Equal((BatchStatus.Cancelled, 2L), (batch.Status, batch.Counts.Cancelled));
            var stopped = await admin.GetJobAsync(Host((await admin.GetBatchHostsAsync(batch.Id, ct: timeout.Token)).Items, running).JobId, timeout.Token);
            // The step in flight (power_off) finished; the next one (power_on) never ran, so the machine was not booted.
            Assert.Equal((StepStatus.Succeeded, StepStatus.Cancelled), (stopped.Steps[0].Status, stopped.Steps[1].Status));
            Assert.Equal(bootsBefore, runningBmc.Boots);
            Assert.NotNull(stopped.CancelledBy);
            var again = await admin.SubmitBatchAsync(new BatchSubmit(JobActions.PowerOn, [running.HardwareName]), ct: timeout.Token);
            await admin.CancelBatchAsync(again.Id, timeout.Token);
            await admin.WaitForJobAsync(own.Id, TimeSpan.FromMilliseconds(50), timeout.Token);
        }
        finally
        {
            runningBmc.Faults = busyBmc.Faults = Simulator.BmcFaults.None;
        }
    }

    [Fact]
    public async Task Precheck_RefusesABatchWithAnUnreachableBmc_OrLeavesThatHostOut()
    {
        var machines = new List<(MachineView Machine, Simulator.SimulatedBmc Bmc)>();
        for (var i = 0; i < 3; i++) machines.Add(await broker.MachineAsync());
        machines[1].Bmc.Faults = new Simulator.BmcFaults { Unreachable = true };
        string[] hosts = [.. machines.Select(m => m.Machine.HardwareName)];
        var e = await Assert.ThrowsAsync<IngotApiException>(() => broker.Server.Admin.SubmitBatchAsync(
            new BatchSubmit(JobActions.PowerOn, hosts, Precheck: System.Text.Json.JsonSerializer.SerializeToElement(true))));
        Assert.Equal(422, e.Problem.Status);
        var refused = Assert.Single(e.Problem.Extensions!["hosts"].EnumerateArray());
        Assert.Equal(machines[1].Machine.HardwareName, refused.GetProperty("host").GetString());
        Assert.Contains("BMC precheck failed", refused.GetProperty("reason").GetString());

        var batch = await broker.Server.Admin.SubmitBatchAsync(
            new BatchSubmit(JobActions.PowerOn, hosts, Precheck: System.Text.Json.JsonSerializer.SerializeToElement("exclude")));
        Assert.Equal(2, batch.Hosts);
        Assert.DoesNotContain((await broker.Server.Admin.GetBatchHostsAsync(batch.Id)).Items, h => h.MachineId == machines[1].Machine.Id);
        // The 201 and every later read name the host left out and why (issue 11 A.5).
        var excluded = Assert.Single(batch.Excluded);
        Assert.Equal(machines[1].Machine.HardwareName, excluded.Host);
        Assert.Contains("BMC precheck failed", excluded.Reason);
        Assert.Equal(batch.Excluded, (await broker.Server.Admin.GetBatchAsync(batch.Id)).Excluded);
        machines[1].Bmc.Faults = Simulator.BmcFaults.None;
    }

    [Fact]
    public async Task Precheck_exclude_where_every_bmc_fails_is_refused_naming_each_host_with_its_reason()
    {
        var machines = new List<(MachineView Machine, Simulator.SimulatedBmc Bmc)>();
        for (var i = 0; i < 2; i++) machines.Add(await broker.MachineAsync());
        foreach (var (_, bmc) in machines) bmc.Faults = new Simulator.BmcFaults { WrongCredentials = true };
        var e = await Assert.ThrowsAsync<IngotApiException>(() => broker.Server.Admin.SubmitBatchAsync(
            new BatchSubmit(JobActions.PowerOn, [.. machines.Select(m => m.Machine.HardwareName)],
                Precheck: System.Text.Json.JsonSerializer.SerializeToElement("exclude"))));
        Assert.Equal(422, e.Problem.Status);
        var refused = e.Problem.Extensions!["hosts"].EnumerateArray().ToList();
        Assert.Equal(machines.Select(m => m.Machine.HardwareName), refused.Select(r => r.GetProperty("host").GetString()));
        Assert.All(refused, r => Assert.Contains("BMC precheck failed", r.GetProperty("reason").GetString()));
        foreach (var (_, bmc) in machines) bmc.Faults = Simulator.BmcFaults.None;
    }
}
