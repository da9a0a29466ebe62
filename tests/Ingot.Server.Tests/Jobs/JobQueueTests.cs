using System.Text.Json;
using Ingot.Bmc;
using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Jobs;
using Ingot.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingot.Server.Tests.Jobs;

/// <summary>The queue driven by hand, as two worker nodes would drive it, on a server whose own workers do not run:
/// claim order, exclusivity, limits, leases and the circuit breaker, with a clock the test moves.</summary>
public sealed class JobQueueTests : IAsyncLifetime
{
    private TestServer server = null!;
    // An hour ahead, so every job the API queues during the test (at the real time) is due on this clock.
    private readonly ManualClock clock = new(DateTimeOffset.UtcNow.AddHours(1));

    public async Task InitializeAsync() => server = await TestServer.StartAsync(jobs: new JobOptions { RunWorkers = false, PerSiteLimit = 2 });

    public async Task DisposeAsync() => await server.DisposeAsync();

    private DatabaseJobQueue Node(JobOptions? options = null) => new(
        server.Services.GetRequiredService<Database>(), server.Services.GetRequiredService<SecretBox>(),
        options ?? server.Services.GetRequiredService<JobOptions>(), clock, NullLogger<DatabaseJobQueue>.Instance);

    private BmcCircuit Circuit() => new(server.Services.GetRequiredService<Database>(), server.Services.GetRequiredService<JobOptions>(), clock);

    private async Task<MachineView> MachineAsync(string? site = null) =>
        await server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial(), Site: site,
            Bmc: new BmcInput("ipmi", "127.0.9.9", 623, "admin", "password")));

    private async Task<long> SubmitAsync(MachineView machine, string action = JobActions.PowerCycle) =>
        (await server.Admin.SubmitJobAsync(machine.HardwareName, action)).Id;

    [Fact]
    public async Task ASecondJobOnABusyMachine_WaitsInTheQueue_UntilTheFirstEnds()
    {
        var machine = await MachineAsync();
        var first = await SubmitAsync(machine);
        var second = await SubmitAsync(machine);
        var node = Node();
        var claimed = Assert.Single(await node.ClaimAsync(10, default));
        Assert.Equal(first, claimed.Id);
        Assert.Empty(await Node().ClaimAsync(10, default));
        await node.FinishAsync(claimed.Lease, new JobEnding.Succeeded(new Dictionary<string, object?>()), default);
        Assert.Equal([second], (await Node().ClaimAsync(10, default)).Select(j => j.Id));
    }

    [Fact]
    public async Task APerSiteLimit_HoldsAcrossNodes_WhileOtherSitesGoOn()
    {
        var busy = (await server.Admin.CreateSiteAsync(new SiteCreate(Unique.Name("busy")))).Name;
        var other = (await server.Admin.CreateSiteAsync(new SiteCreate(Unique.Name("other")))).Name;
        for (var i = 0; i < 5; i++) await SubmitAsync(await MachineAsync(busy));
        var elsewhere = await SubmitAsync(await MachineAsync(other));
        var claimed = (await Node().ClaimAsync(3, default)).Concat(await Node().ClaimAsync(10, default)).ToList();
        Assert.Equal(3, claimed.Count); // two in the busy site (its limit), one elsewhere
        Assert.Contains(elsewhere, claimed.Select(j => j.Id));
        var load = (await server.Admin.GetBrokerStatusAsync()).Sites.Single(s => s.Site == busy);
        Assert.Equal((2, 3), (load.Running, load.Queued));
    }

    [Fact]
    public async Task OneUsersTenThousandJobs_DelayAnotherUsersSingleJob_ByOnlyAFewClaims()
    {
        var machines = new List<long>();
        for (var i = 0; i < 100; i++) machines.Add((await MachineAsync()).Id);
        var submission = server.Services.GetRequiredService<JobSubmission>();
        var plan = JobPlans.Find(JobActions.PowerOn)!;
        var none = new Dictionary<string, JsonElement>();
        var db = server.Services.GetRequiredService<Database>();
        await db.InTransactionAsync(c => submission.SubmitManyAsync(
            c, [.. Enumerable.Range(0, 10_000).Select(i => machines[i % machines.Count])], plan, none, "alice", "test"), CancellationToken.None);
        var single = await MachineAsync();
        var bob = await db.InTransactionAsync(c => submission.SubmitAsync(c, single.Id, plan, none, "bob", "test"), CancellationToken.None);

        var node = Node();
        for (var claims = 1; claims <= 3; claims++)
        {
            var job = Assert.Single(await node.ClaimAsync(1, default));
            if (job.Id == bob) return;
            Assert.Equal("alice", job.User);
        }
        Assert.Fail("bob's job was not among the first 3 claims after alice's 10,000");
    }

    [Fact]
    public async Task AnExpiredLease_IsTakenOverByAnotherNode_AndTheOldNodeCanNoLongerWrite()
    {
        var job = await SubmitAsync(await MachineAsync());
        var dead = Node();
        var claimed = Assert.Single(await dead.ClaimAsync(1, default));
        Assert.Equal(StepGate.Go, await dead.BeginStepAsync(claimed.Lease, 0, default));
        Assert.True(await dead.EndStepAsync(claimed.Lease, 0, StepStatus.Succeeded, "off", null, default));

        var survivor = Node();
        Assert.Empty(await survivor.ClaimAsync(1, default)); // the lease still holds
        clock.Advance(new JobOptions().Lease + TimeSpan.FromSeconds(1));
        var resumed = Assert.Single(await survivor.ClaimAsync(1, default));
        Assert.Equal(job, resumed.Id);
        Assert.Equal(claimed.Attempt, resumed.Attempt); // a takeover is not a new attempt
        Assert.Equal(StepStatus.Succeeded, resumed.Steps[0].Status); // so it resumes at power_on
        Assert.Equal(StepStatus.Pending, resumed.Steps[1].Status);

        Assert.False(await dead.EndStepAsync(claimed.Lease, 1, StepStatus.Succeeded, "late", null, default));
        Assert.Equal(StepGate.LeaseLost, await dead.BeginStepAsync(claimed.Lease, 1, default));
        Assert.Empty(await dead.RenewAsync([claimed.Lease], default));
        Assert.Equal([resumed.Lease], await survivor.RenewAsync([resumed.Lease], default));
    }

    [Fact]
    public async Task AJobReclaimedByTheSameNode_FencesOutItsEarlierRun()
    {
        // A node whose run fell a lease behind (a long pause) may reap and claim the same job again itself: the
        // two runs share a node but not a claim, so only the newer one may write.
        var job = await SubmitAsync(await MachineAsync());
        var node = Node();
        var stale = Assert.Single(await node.ClaimAsync(1, default));
        clock.Advance(new JobOptions().Lease + TimeSpan.FromSeconds(1));
        var fresh = Assert.Single(await node.ClaimAsync(1, default));
        Assert.Equal(job, fresh.Id);
        Assert.NotEqual(stale.Lease, fresh.Lease);
        Assert.Equal(StepGate.LeaseLost, await node.BeginStepAsync(stale.Lease, 0, default));
        Assert.Equal(StepGate.Go, await node.BeginStepAsync(fresh.Lease, 0, default));
        Assert.Equal([fresh.Lease], await node.RenewAsync([stale.Lease, fresh.Lease], default));
    }

    [Fact]
    public async Task CancellingARunningJob_StopsItAtTheNextStepBoundary_RecordingWho()
    {
        var job = await SubmitAsync(await MachineAsync());
        var node = Node();
        var lease = Assert.Single(await node.ClaimAsync(1, default)).Lease;
        Assert.Equal(StepGate.Go, await node.BeginStepAsync(lease, 0, default));
        var asked = await server.Admin.CancelJobAsync(job);
        Assert.Equal(JobStatus.Running, asked.Status); // the step under way finishes first
        Assert.True(await node.EndStepAsync(lease, 0, StepStatus.Succeeded, "off", null, default));
        Assert.Equal(StepGate.Cancelled, await node.BeginStepAsync(lease, 1, default));
        await node.FinishAsync(lease, new JobEnding.Cancelled(null), default);
        var view = await server.Admin.GetJobAsync(job);
        Assert.Equal((JobStatus.Cancelled, "admin"), (view.Status, view.CancelledBy));
        Assert.Equal([StepStatus.Succeeded, StepStatus.Cancelled], view.Steps.Select(s => s.Status));
    }

    [Fact]
    public async Task RepeatedBmcFailures_OpenTheCircuit_HoldingJobsBack_UntilItRecovers()
    {
        var machine = await MachineAsync();
        var node = Node();
        var error = new BmcUnreachableException("ipmi://127.0.9.9:623", "no answer to Open Session");
        for (var i = 0; i < 2; i++) await Circuit().RecordAsync(machine.Id, error, default);
        Assert.Equal(BmcHealthStatus.Degraded, (await server.Admin.GetMachineAsync(machine.HardwareName)).Bmc!.Health!.Status);
        await Circuit().RecordAsync(machine.Id, error, default);
        var health = (await server.Admin.GetMachineAsync(machine.HardwareName)).Bmc!.Health!;
        Assert.Equal(BmcHealthStatus.Unreachable, health.Status);
        Assert.Equal(3, health.Failures);
        Assert.Contains("no answer to Open Session", health.LastError);
        Assert.InRange(health.RetryAfter!.Value - clock.GetUtcNow(), TimeSpan.FromSeconds(29.99), new JobOptions().BreakerOpen.First);

        var job = await SubmitAsync(machine);
        Assert.Empty(await node.ClaimAsync(1, default)); // the circuit is open: the BMC is left alone
        clock.Advance(new JobOptions().BreakerOpen.First + TimeSpan.FromSeconds(1));
        Assert.Equal(job, Assert.Single(await node.ClaimAsync(1, default)).Id); // the trial

        await Circuit().RecordAsync(machine.Id, null, default);
        health = (await server.Admin.GetMachineAsync(machine.HardwareName)).Bmc!.Health!;
        Assert.Equal((BmcHealthStatus.Ok, 0), (health.Status, health.Failures));
        Assert.Null(health.RetryAfter);
    }

    [Fact]
    public async Task AWrongPassword_MarksTheBmcDegraded_WithoutOpeningTheCircuit()
    {
        var machine = await MachineAsync();
        await Circuit().RecordAsync(machine.Id, new BmcAuthenticationException("ipmi://127.0.9.9:623", "wrong password"), default);
        var health = (await server.Admin.GetMachineAsync(machine.HardwareName)).Bmc!.Health!;
        Assert.Equal(BmcHealthStatus.Degraded, health.Status);
        Assert.Null(health.RetryAfter);
        var job = await SubmitAsync(machine);
        Assert.Equal(job, Assert.Single(await Node().ClaimAsync(1, default)).Id);
    }
}
