using System.Text.Json;
using Ingot.Bmc;
using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.Jobs;

/// <summary>Power jobs end to end: API → queue → worker → real IPMI to a simulated BMC → recorded steps.</summary>
[Collection(BrokerCollection.Name)]
public sealed class PowerJobTests(BrokerFixture broker)
{
    [Fact]
    public async Task PowerCycle_OfARunningMachine_BootsItOnce_AndRecordsBothSteps()
    {
        var (machine, bmc) = await broker.MachineAsync();
        var job = await broker.RunAsync(machine, JobActions.PowerCycle);
        Assert.Equal(JobStatus.Succeeded, job.Status);
        Assert.Equal(1, bmc.Boots);
        Assert.Equal(PowerState.On, bmc.Power);
        Assert.Equal(["power_off", "power_on"], job.Steps.Select(s => s.Name));
        Assert.All(job.Steps, s => Assert.Equal(StepStatus.Succeeded, s.Status));
        Assert.All(job.Steps, s => Assert.True(s.StartedAt <= s.EndedAt));
        Assert.Equal("on", job.Result!["power_state"].GetString());
        Assert.Equal(machine.HardwareName, job.Target.HardwareName);
        Assert.Equal(1, job.Attempt);
        Assert.Null(job.QueuePosition);
    }

    [Fact]
    public async Task PowerOn_OfAMachineThatIsOn_SucceedsWithoutSendingAnything()
    {
        var (machine, bmc) = await broker.MachineAsync();
        var job = await broker.RunAsync(machine, JobActions.PowerOn);
        Assert.Equal(JobStatus.Succeeded, job.Status);
        Assert.Equal(0, bmc.PowerTransitions);
        Assert.Contains("already on", job.Steps.Single().Message);
    }

    /// <summary>Issue 11 E.6: the client asked for Administrator, so a BMC account with Operator rights (all a power or
    /// boot job needs) failed every job at the login.</summary>
    [Fact]
    public async Task AnOperatorAccount_IsEnoughForPowerAndBootJobs()
    {
        var (machine, bmc) = await broker.MachineAsync(user: "operator", password: "operpass");
        var job = await broker.RunAsync(machine, JobActions.PowerCycle);
        Assert.True(job.Status == JobStatus.Succeeded, $"{job.Status}: {job.Error}");
        Assert.Equal(1, bmc.Boots);
        job = await broker.RunAsync(machine, JobActions.SetBootDevice, new Dictionary<string, JsonElement> { ["device"] = JsonSerializer.SerializeToElement("pxe") });
        Assert.True(job.Status == JobStatus.Succeeded, $"{job.Status}: {job.Error}");
        Assert.Equal(BootDevice.Pxe, bmc.Boot.Device);
    }

    [Fact]
    public async Task Reboot_ShutsDownGracefully_ThenPowersOn()
    {
        var (machine, bmc) = await broker.MachineAsync();
        var job = await broker.RunAsync(machine, JobActions.Reboot);
        Assert.Equal(JobStatus.Succeeded, job.Status);
        Assert.Equal(["shutdown", "power_on"], job.Steps.Select(s => s.Name));
        Assert.Contains("gracefully", job.Steps[0].Message);
        Assert.Equal(1, bmc.Boots);
    }

    [Fact]
    public async Task SetBootDevice_SetsAndReadsBackTheOverride()
    {
        var (machine, bmc) = await broker.MachineAsync();
        var parameters = new Dictionary<string, JsonElement>
        {
            ["device"] = JsonSerializer.SerializeToElement("pxe"), ["persistent"] = JsonSerializer.SerializeToElement(true),
        };
        var job = await broker.RunAsync(machine, JobActions.SetBootDevice, parameters);
        Assert.Equal(JobStatus.Succeeded, job.Status);
        Assert.Equal(new BootSettings(BootDevice.Pxe, Persistent: true, Uefi: true), bmc.Boot);
        Assert.Equal("pxe", job.Result!["boot_device"].GetString());
    }

    /// <summary>Issue 11 A.6: such a BMC was retried within the step and again by the job's attempts, a whole power
    /// deadline each time (60 s × 4 tries × 3 attempts), keeping its batch running ~13 minutes after every other host.</summary>
    [Fact]
    public async Task ABmcThatAcknowledgesButDoesNotChangeState_FailsTheJobWithinOneDeadline_SayingSo_InTheJobAndTheBmcsHealth()
    {
        var (machine, bmc) = await broker.MachineAsync();
        bmc.Faults = new Simulator.BmcFaults { IgnorePowerCommands = true };
        var job = await broker.RunAsync(machine, JobActions.PowerOff);
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Contains("acknowledged the power command but still reports on after 2 s (wanted off); not retried", job.Error);
        Assert.StartsWith("step power_off, attempt 1 of 2", job.Error);
        Assert.Equal((1, 1), (job.Attempt, job.Steps.Single().Attempt)); // one try: no step retry, no second attempt
        var deadline = SimulatedFleetServer.FastJobs.PowerDeadline;
        Assert.InRange(job.EndedAt!.Value - job.StartedAt!.Value, deadline, deadline * 1.9);
        Assert.Equal(PowerState.On, bmc.Power);
        var health = (await broker.Server.Admin.GetMachineAsync(machine.HardwareName)).Bmc!.Health!;
        // It answers, so it is no unreachable BMC whose circuit should open; but it is not well either.
        Assert.Equal(BmcHealthStatus.Degraded, health.Status);
        Assert.Contains("acknowledged the power command but still reports on", health.LastError);
    }

    /// <summary>Issue 11 A.6: a BMC that answers with bytes that are no IPMI packet was reported as "no answer".</summary>
    [Fact]
    public async Task ABmcThatAnswersGarbage_FailsTheJob_NamingTheUnparseableAnswer_NotNoAnswer()
    {
        var (machine, bmc) = await broker.MachineAsync();
        bmc.Faults = new Simulator.BmcFaults { GarbageReplies = true };
        var job = await broker.RunAsync(machine, JobActions.PowerOn);
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Contains("sent an answer that could not be parsed", job.Error);
        Assert.DoesNotContain("no answer", job.Error);
        var health = (await broker.Server.Admin.GetMachineAsync(machine.HardwareName)).Bmc!.Health!;
        Assert.Contains("sent an answer that could not be parsed", health.LastError);
    }

    [Fact]
    public async Task WrongBmcPassword_FailsAtOnce_WithoutRetrying()
    {
        var (machine, _) = await broker.MachineAsync(password: "not-the-password");
        var job = await broker.RunAsync(machine, JobActions.PowerOn);
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Contains("password", job.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, job.Attempt);
        Assert.Equal(1, job.Steps.Single().Attempt);
    }

    [Fact]
    public async Task Commission_ChecksTheBmc_ThenMakesTheMachineAvailable_AsTheJobsUser()
    {
        var (machine, _) = await broker.MachineAsync();
        Assert.Equal(MachineState.New, machine.State);
        var job = await broker.RunAsync(machine, JobActions.Commission);
        Assert.Equal(JobStatus.Succeeded, job.Status);
        Assert.Equal(["check_bmc", "check_hardware", "mark_available"], job.Steps.Select(s => s.Name));
        Assert.Equal(MachineState.Available, (await broker.Server.Admin.GetMachineAsync(machine.HardwareName)).State);
        var history = await broker.Server.Admin.HistoryAsync(machine.HardwareName);
        Assert.Contains(history, h => h.Trigger == "commission" && h.Actor == $"admin (job {job.Id})");
    }

    [Fact]
    public async Task ALifecycleJobThatFails_MarksTheMachineBroken_WithTheStepAndReason()
    {
        var (machine, _) = await broker.MachineAsync(password: "not-the-password");
        var job = await broker.RunAsync(machine, JobActions.Commission);
        Assert.Equal(JobStatus.Failed, job.Status);
        var after = await broker.Server.Admin.GetMachineAsync(machine.HardwareName);
        Assert.Equal(MachineState.Broken, after.State);
        var failed = (await broker.Server.Admin.HistoryAsync(machine.HardwareName)).Single(h => h.Trigger == "fail");
        Assert.Contains($"job {job.Id} (commission) failed: step check_bmc", failed.Reason);
        Assert.Equal(BmcHealthStatus.Degraded, after.Bmc!.Health!.Status);
    }

    [Fact]
    public async Task AnUnreachableBmc_IsRetried_ThenFails_AndItsHealthShowsTheLastError()
    {
        var (machine, bmc) = await broker.MachineAsync();
        bmc.Faults = new Simulator.BmcFaults { Unreachable = true };
        var job = await broker.RunAsync(machine, JobActions.PowerCycle);
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal(2, job.Attempt); // every attempt used
        Assert.Equal(2, job.Steps[0].Attempt);
        Assert.Contains("no answer", job.Error);
        var health = (await broker.Server.Admin.GetMachineAsync(machine.HardwareName)).Bmc!.Health!;
        Assert.Equal(BmcHealthStatus.Degraded, health.Status);
        Assert.Equal(2, health.Failures);
        Assert.Contains("no answer", health.LastError);
        Assert.Equal(MachineState.New, (await broker.Server.Admin.GetMachineAsync(machine.HardwareName)).State); // power jobs leave the lifecycle alone
    }

    [Theory]
    [InlineData(64, 512, "available", null)]
    [InlineData(32, 512, "broken", "32 CPU cores, not 64")]
    [InlineData(64, 256, "broken", "256 GB of memory, not 512")]
    public async Task Commission_HoldsTheReportedHardwareToTheSku(int cores, int memoryGb, string state, string? reason)
    {
        var (machine, _) = await broker.MachineAsync();
        var sku = await broker.Server.Admin.CreateSkuAsync(new SkuCreate(Tests.Infrastructure.Unique.Name("big"), 64, 512, 2, 900, 2));
        // Registered ahead of racking by serial and BMC alone (no NICs yet), as a purchase order lists it.
        await broker.Server.Admin.UpdateMachineAsync(machine.HardwareName, new MachineUpdate(Sku: sku.Name, Nics: []));
        // What a discovery image reports about the racked machine at its first boot: its two NICs, hence a SKU of two. The
        // machine is new with a BMC password, so the boot door queues its commission job itself.
        await DiscoveryImage.ReportAsync(broker.Server, new DiscoveryReport(machine.Serial, CpuCores: cores, MemoryGb: memoryGb,
            Disks: [new DiskFact("sda", 960), new DiskFact("sdb", 960)], Nics: [new NicInput(machine.Nics[0].Mac), new NicInput(Tests.Infrastructure.Unique.Mac())]));
        var queued = Assert.Single((await broker.Server.Admin.ListJobsAsync(new JobQuery(Machine: machine.HardwareName, Action: JobActions.Commission))).Items);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var job = await broker.Server.Admin.WaitForJobAsync(queued.Id, TimeSpan.FromMilliseconds(50), timeout.Token);
        var after = await broker.Server.Admin.GetMachineAsync(machine.HardwareName);
        Assert.Equal(state, Ingot.Server.Api.Wire.Name(after.State));
        if (reason is null) Assert.Equal(JobStatus.Succeeded, job.Status);
        else Assert.Contains($"does not match SKU {sku.Name}: {reason}", job.Error);
    }
}
