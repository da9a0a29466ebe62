using System.Net;
using System.Text.Json;
using Ingot.Bmc;
using Ingot.Client;
using Ingot.Server.Jobs;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Server.Tests.Jobs;
using Ingot.Simulator;

namespace Ingot.Server.Tests.Boot;

/// <summary>Three attempts, so that "fails twice, then succeeds" can be seen.</summary>
public sealed class InstallFixture() : SimulatedFleetServer("127.0.6.1", 30)
{
    protected override JobOptions Jobs => FastJobs with { MaxAttempts = 3 };
}

/// <summary>Reimage end to end: the broker's steps drive a simulated BMC over IPMI, the machine network-boots from the
/// boot service over HTTP, and its installer's callbacks (played by <see cref="TestInstaller"/>) move the job on.</summary>
public sealed class InstallFlowTests(InstallFixture fleet) : IClassFixture<InstallFixture>
{
    private IngotClient Admin => fleet.Server.Admin;

    private async Task<string> ImageAsync(int deadlineSeconds = 600) =>
        (await Admin.CreateImageAsync(new ImageCreate(Unique.Name("debian"), ImageKind.Install, "http://images.example/vmlinuz",
            "http://images.example/initrd.img", "console=ttyS0", "debian-12", DeadlineSeconds: deadlineSeconds))).Name;

    /// <summary>A machine in use (moved there by hand), with its BMC and an installer that answers its network boots.</summary>
    private async Task<(MachineView Machine, SimulatedBmcHandle Bmc)> InUseAsync(Func<int, string?>? failOnBoot = null)
    {
        var (machine, bmc) = await fleet.MachineAsync();
        await InUseByHandAsync(machine);
        var installer = new TestInstaller(fleet.Server.Url, bmc, machine.Nics[0].Mac, failOnBoot);
        return (machine, new SimulatedBmcHandle(bmc, installer));
    }

    private async Task InUseByHandAsync(MachineView machine)
    {
        foreach (var trigger in new[] { "commission", "allocate", "install", "finish_install" })
            await Admin.TransitionAsync(machine.HardwareName, trigger);
    }

    /// <summary>The job once its step has reached the status (a parked wait, a finished transition).</summary>
    private async Task<JobView> StepReachedAsync(long jobId, string step, StepStatus status)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        JobView job;
        while ((job = await Admin.GetJobAsync(jobId, timeout.Token)).Steps.Single(s => s.Name == step).Status != status)
            await Task.Delay(20, timeout.Token);
        return job;
    }

    public sealed record SimulatedBmcHandle(Simulator.SimulatedBmc Bmc, TestInstaller Installer);

    private static Dictionary<string, JsonElement> Image(string name) => new() { ["image"] = JsonSerializer.SerializeToElement(name) };

    private Task<JobView> ReimageAsync(MachineView machine, string image) => RunAsync(machine, JobActions.Reimage, Image(image));

    private async Task<JobView> RunAsync(MachineView machine, string action, Dictionary<string, JsonElement> parameters)
    {
        var job = await Admin.SubmitJobAsync(machine.HardwareName, action, parameters, force: true);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            return await Admin.WaitForJobAsync(job.Id, TimeSpan.FromMilliseconds(50), timeout.Token);
        }
        catch (OperationCanceledException)
        {
            var stuck = await Admin.GetJobAsync(job.Id);
            throw new Xunit.Sdk.XunitException($"job {job.Id} did not end within 60 s: {System.Text.Json.JsonSerializer.Serialize(stuck, IngotJson.Options)}");
        }
    }

    [Fact]
    public async Task Reimage_BootsTheInstaller_WaitsForItsCallbacks_AndEndsInUse_BootingFromDisk()
    {
        var image = await ImageAsync();
        var (machine, sim) = await InUseAsync();
        var job = await ReimageAsync(machine, image);

        Assert.True(job.Status == JobStatus.Succeeded, $"{job.Status}: {job.Error}");
        Assert.Equal(["mark_installing", "set_boot_pxe", "power_off", "power_on", "wait_installer_started", "wait_installer_finished",
                      "set_boot_disk", "mark_in_use"], job.Steps.Select(s => s.Name));
        Assert.All(job.Steps, s => Assert.Equal(StepStatus.Succeeded, s.Status));
        Assert.Equal(["started", "progress", "finished"], job.Events!.Select(e => e.Event));
        var after = await Admin.GetMachineAsync(machine.HardwareName);
        Assert.Equal(MachineState.InUse, after.State);
        Assert.Equal(image, after.Image);
        Assert.NotNull(after.InstalledAt);
        Assert.Equal(new BootSettings(BootDevice.Disk, Persistent: true, Uefi: true), sim.Bmc.Boot);
        var script = Assert.Single(sim.Installer.Scripts);
        Assert.Contains($"# ingot: install {image} job {job.Id}", script);
        Assert.Contains("kernel http://images.example/vmlinuz console=ttyS0 ingot.mode=install", script);
        var history = await Admin.HistoryAsync(machine.HardwareName);
        Assert.Equal(["reimage", "finish_install"], history.TakeLast(2).Select(h => h.Trigger));
    }

    [Fact]
    public async Task AnInstallerFailingTwice_IsRetriedFromTheBootDevice_AndTheThirdAttemptSucceeds()
    {
        var image = await ImageAsync();
        var (machine, sim) = await InUseAsync(boot => boot <= 2 ? "disk not found" : null);
        var job = await ReimageAsync(machine, image);
        Assert.True(job.Status == JobStatus.Succeeded, $"{job.Status}: {job.Error}");
        Assert.Equal(3, job.Attempt);
        Assert.Equal(3, sim.Installer.Scripts.Count); // it really booted the installer three times
        Assert.Equal(3, job.Steps.Single(s => s.Name == "set_boot_pxe").Attempt);
        Assert.Equal(1, job.Steps.Single(s => s.Name == "mark_installing").Attempt);
        Assert.Equal(MachineState.InUse, (await Admin.GetMachineAsync(machine.HardwareName)).State);
    }

    [Fact]
    public async Task AnInstallerThatAlwaysFails_LeavesTheMachineBroken_WithTheStepAndTheInstallersMessage()
    {
        var image = await ImageAsync();
        var (machine, _) = await InUseAsync(_ => "disk not found");
        var job = await ReimageAsync(machine, image);
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Contains("attempt 3 of 3: the installer reported failure: disk not found", job.Error);
        Assert.Contains("mkfs: no disk", job.Error);
        var after = await Admin.GetMachineAsync(machine.HardwareName);
        Assert.Equal(MachineState.Broken, after.State);
        Assert.Contains("disk not found", (await Admin.HistoryAsync(machine.HardwareName)).Last().Reason);
    }

    [Fact]
    public async Task AWipeThatAlwaysFails_LeavesTheMachineBroken_WithTheWipesMessage()
    {
        // Its disks may be half erased: not a machine to hand back as it was (DESIGN.md §5).
        await Admin.CreateImageAsync(new ImageCreate(Unique.Name("wipe"), ImageKind.Wipe, "http://images.example/wipe-vmlinuz", "http://images.example/wipe-initrd.img"));
        var (machine, _) = await InUseAsync(_ => "secure erase refused");
        var job = await RunAsync(machine, JobActions.WipeDisks, []);
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Contains("secure erase refused", job.Error);
        Assert.Equal(MachineState.Broken, (await Admin.GetMachineAsync(machine.HardwareName)).State);
        Assert.Contains("secure erase refused", (await Admin.HistoryAsync(machine.HardwareName)).Last().Reason);
    }

    [Fact]
    public async Task BootTokens_AreSingleUse_AndForgedOnesChangeNothing()
    {
        var image = await ImageAsync();
        var (machine, sim) = await InUseAsync();
        var job = await ReimageAsync(machine, image);
        Assert.Equal(JobStatus.Succeeded, job.Status);
        var used = Assert.Single(sim.Installer.Tokens);
        Assert.Equal(HttpStatusCode.Forbidden, (await sim.Installer.PostAsync(used, new BootEvent("failed", Message: "replayed"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await sim.Installer.PostAsync("ingot_forged", new BootEvent("finished"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await sim.Installer.PostAsync(fleet.Server.AdminToken, new BootEvent("finished"))).StatusCode);
        var again = await Admin.GetJobAsync(job.Id);
        Assert.Equal(3, again.Events!.Count); // nothing recorded from the refused posts
        Assert.Equal(MachineState.InUse, (await Admin.GetMachineAsync(machine.HardwareName)).State);
    }

    [Fact]
    public async Task AJobWaitingForItsInstaller_SaysUntilWhen_AndIsCancelledAtOnce()
    {
        var image = await ImageAsync(deadlineSeconds: 600);
        var (machine, _) = await fleet.MachineAsync(); // no installer: nothing will call back
        await InUseByHandAsync(machine);
        var job = await Admin.SubmitJobAsync(machine.HardwareName, JobActions.Reimage, Image(image), force: true);
        job = await StepReachedAsync(job.Id, "wait_installer_started", StepStatus.Waiting);
        Assert.Equal(JobStatus.Running, job.Status);
        Assert.Contains("waiting for the installer to report 'started', until", job.Steps.Single(s => s.Name == "wait_installer_started").Message);
        // Parked, it holds no worker, so there is no step boundary to wait for: cancelling ends it now.
        var cancelled = await Admin.CancelJobAsync(job.Id);
        Assert.Equal(JobStatus.Cancelled, cancelled.Status);
    }

    /// <summary>Issue 11 A.3: the cancelled reimage had moved its machine to installing, where neither install nor
    /// reimage is allowed; it must leave it where its owner can act, and the history must say why.</summary>
    [Fact]
    public async Task ACancelledReimage_LeavesTheMachineAllocated_WithTheReasonInItsHistory_AndAnInstallIsAllowed()
    {
        var image = await ImageAsync(deadlineSeconds: 600);
        var (machine, _) = await fleet.MachineAsync(); // no installer: the job parks waiting for one
        await InUseByHandAsync(machine);
        var job = await Admin.SubmitJobAsync(machine.HardwareName, JobActions.Reimage, Image(image), force: true);
        job = await StepReachedAsync(job.Id, "wait_installer_started", StepStatus.Waiting);
        Assert.Equal(MachineState.Installing, (await Admin.GetMachineAsync(machine.HardwareName)).State);

        await Admin.CancelJobAsync(job.Id);

        var after = await Admin.GetMachineAsync(machine.HardwareName);
        Assert.Equal(MachineState.Allocated, after.State);
        var last = (await Admin.HistoryAsync(machine.HardwareName))[^1];
        Assert.Equal("abandon", last.Trigger);
        Assert.Contains($"job {job.Id} (reimage) cancelled by", last.Reason);
        Assert.Contains("install again", last.Reason);
        Assert.Contains(Trigger.Install, Ingot.Server.Inventory.Lifecycle.Allowed(after.State));
    }

    /// <summary>Issue 11 A.3, the worker's side: a cancel that reaches a job while a worker holds it ends the job at the
    /// next step boundary, and that path settles the machine the same way.</summary>
    [Fact]
    public async Task ACancelSeenAtAStepBoundary_AlsoLeavesTheMachineAllocated()
    {
        var image = await ImageAsync(deadlineSeconds: 600);
        var (machine, bmc) = await fleet.MachineAsync();
        await InUseByHandAsync(machine);
        // The BMC answers slowly, so the cancel lands while a worker holds the job in set_boot_pxe.
        bmc.Faults = new BmcFaults { Latency = TimeSpan.FromMilliseconds(300) };
        var job = await Admin.SubmitJobAsync(machine.HardwareName, JobActions.Reimage, Image(image), force: true);
        job = await StepReachedAsync(job.Id, "mark_installing", StepStatus.Succeeded);
        await Admin.CancelJobAsync(job.Id);
        bmc.Faults = BmcFaults.None;
        job = await Admin.WaitForJobAsync(job.Id, TimeSpan.FromMilliseconds(50), CancellationToken.None);

        Assert.Equal(JobStatus.Cancelled, job.Status);
        Assert.Equal(MachineState.Allocated, (await Admin.GetMachineAsync(machine.HardwareName)).State);
        Assert.Equal("abandon", (await Admin.HistoryAsync(machine.HardwareName))[^1].Trigger);
    }

    /// <summary>Issue 11 A.3 for recycle: its disks half wiped, the machine stays recycling (it must not be handed out
    /// again), and a recycle may be run again from there instead of needing an admin's fail and repair.</summary>
    [Fact]
    public async Task ACancelledRecycle_LeavesTheMachineRecycling_AndARecycleMayRunAgain()
    {
        await Admin.CreateImageAsync(new ImageCreate(Unique.Name("wipe"), ImageKind.Wipe, "http://images.example/wipe-vmlinuz", "http://images.example/wipe-initrd.img"));
        var (machine, _) = await fleet.MachineAsync(); // nothing boots the wipe image: the job parks
        await InUseByHandAsync(machine);
        var job = await Admin.SubmitJobAsync(machine.HardwareName, JobActions.Recycle, new Dictionary<string, JsonElement>(), force: true);
        job = await StepReachedAsync(job.Id, "wait_wipe_started", StepStatus.Waiting);
        await Admin.CancelJobAsync(job.Id);

        Assert.Equal(MachineState.Recycling, (await Admin.GetMachineAsync(machine.HardwareName)).State);
        var again = await Admin.SubmitJobAsync(machine.HardwareName, JobActions.Recycle, new Dictionary<string, JsonElement>(), force: true);
        Assert.Equal(JobStatus.Queued, again.Status);
        await Admin.CancelJobAsync(again.Id);
    }
}
