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
}
