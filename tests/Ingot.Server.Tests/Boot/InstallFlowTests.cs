using System.Net;
using System.Text.Json;
using Ingot.Bmc;
using Ingot.Client;
using Ingot.Server.Jobs;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Server.Tests.Jobs;

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
        foreach (var trigger in new[] { "commission", "allocate", "install", "finish_install" })
            await Admin.TransitionAsync(machine.HardwareName, trigger);
        var installer = new TestInstaller(fleet.Server.Url, bmc, machine.Nics[0].Mac, failOnBoot);
        return (machine, new SimulatedBmcHandle(bmc, installer));
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
        foreach (var trigger in new[] { "commission", "allocate", "install", "finish_install" })
            await Admin.TransitionAsync(machine.HardwareName, trigger);
        var job = await Admin.SubmitJobAsync(machine.HardwareName, JobActions.Reimage, Image(image), force: true);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while ((job = await Admin.GetJobAsync(job.Id, timeout.Token)).Steps.Single(s => s.Name == "wait_installer_started").Status != StepStatus.Waiting)
            await Task.Delay(50, timeout.Token);
        Assert.Equal(JobStatus.Running, job.Status);
        Assert.Contains("waiting for the installer to report 'started', until", job.Steps.Single(s => s.Name == "wait_installer_started").Message);
        // Parked, it holds no worker, so there is no step boundary to wait for: cancelling ends it now.
        var cancelled = await Admin.CancelJobAsync(job.Id);
        Assert.Equal(JobStatus.Cancelled, cancelled.Status);
    }
}
