using System.Net;
using System.Text.Json;
using Ingot.Bmc.Ipmi;
using Ingot.Client;
using Ingot.Labs;
using Ingot.Server.Jobs;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Server.Tests.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace Ingot.Server.Tests.Boot;

/// <summary>A server whose machines' BMCs are OpenIPMI ipmi_sim processes (a BMC we did not write) on 127.0.2.221…,
/// away from the Bmc tests' 127.0.2.201… and the benchmark's 127.0.2.1–50, since test projects run in parallel.</summary>
public sealed class IpmiSimServer : IAsyncLifetime
{
    private const int Count = 2;
    private int next = -1;

    public IReadOnlyList<IPAddress> Addresses { get; } = [.. Enumerable.Range(221, Count).Select(i => IPAddress.Parse($"127.0.2.{i}"))];
    public IpmiSimProcesses Bmcs { get; private set; } = null!;
    public TestServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Bmcs = await IpmiSimProcesses.StartAsync(Addresses);
        for (var i = 0; i < Count; i++) await Bmcs.WaitUntilAnsweringAsync(i, TimeSpan.FromSeconds(10));
        // ipmi_sim forks a shell script for every power and boot command: 1 s per attempt, as the Bmc tests found.
        Server = await TestServer.StartAsync(jobs: SimulatedFleetServer.FastJobs with { PowerDeadline = TimeSpan.FromSeconds(10) },
            ipmi: SimulatedFleetServer.FastIpmi with { AttemptTimeout = TimeSpan.FromSeconds(1), Attempts = 3 });
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Bmcs.DisposeAsync();
    }

    /// <summary>A new machine whose BMC is an ipmi_sim no other test uses, and that BMC's index.</summary>
    public async Task<(MachineView Machine, int Bmc)> MachineAsync(string user = IpmiSimProcesses.AdminUser, string password = IpmiSimProcesses.AdminPassword)
    {
        var index = Interlocked.Increment(ref next);
        if (index >= Count) throw new InvalidOperationException($"{nameof(IpmiSimServer)} has only {Count} BMCs; give it more");
        var machine = await Server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial(), Nics: [new NicInput(Unique.Mac(), "eth0")],
            Bmc: new BmcInput("ipmi", Addresses[index].ToString(), 623, user, password)));
        return (machine, index);
    }
}

/// <summary>Jobs driving OpenIPMI's ipmi_sim, which applies a boot device but never reports the boot-flags-valid,
/// persistent or EFI bits (LABS.md; issue 11 E.1).</summary>
public sealed class IpmiSimInstallTests(IpmiSimServer fixture) : IClassFixture<IpmiSimServer>
{
    private IngotClient Admin => fixture.Server.Admin;

    /// <summary>A whole install with ipmi_sim as the machine's BMC. ipmi_sim cannot boot a machine (its chassis is a
    /// script that writes files), so the test plays the machine: once the job waits for its installer, it checks that
    /// the BMC really holds power on and PXE, then fetches the iPXE script by the machine's MAC and posts the installer's
    /// callbacks as the installer would.</summary>
    [Fact]
    public async Task Install_WithIpmiSimAsTheBmc_Succeeds_AndItsBootFlagQuirkIsLearnedInItsHealth()
    {
        var image = await Admin.CreateImageAsync(new ImageCreate(Unique.Name("debian"), ImageKind.Install, "http://images.example/vmlinuz",
            "http://images.example/initrd.img", DeadlineSeconds: 600));
        var (machine, bmc) = await fixture.MachineAsync();
        foreach (var trigger in new[] { "commission", "allocate" }) await Admin.TransitionAsync(machine.HardwareName, trigger);
        var job = await Admin.SubmitJobAsync(machine.HardwareName, JobActions.Install,
            new Dictionary<string, JsonElement> { ["image"] = JsonSerializer.SerializeToElement(image.Name) });

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        job = await WaitAsync(job.Id, j => j.Status != JobStatus.Running && j.Status != JobStatus.Queued
            || j.Steps.Single(s => s.Name == "wait_installer_started").Status == StepStatus.Waiting, timeout.Token);
        Assert.True(job.Status == JobStatus.Running, $"{job.Status}: {job.Error}");
        Assert.Equal(("1", "pxe"), (fixture.Bmcs.ReadState(bmc, "power"), fixture.Bmcs.ReadState(bmc, "boot")));

        await new TestInstaller(fixture.Server.Url, machine.Nics[0].Mac).BootAsync();
        job = await Admin.WaitForJobAsync(job.Id, TimeSpan.FromMilliseconds(50), timeout.Token);

        Assert.True(job.Status == JobStatus.Succeeded, $"{job.Status}: {job.Error}");
        Assert.All(job.Steps, s => Assert.Equal(StepStatus.Succeeded, s.Status));
        Assert.Equal(1, job.Attempt);
        Assert.Contains("does not report", job.Steps.Single(s => s.Name == "set_boot_pxe").Message);
        Assert.Equal("default", fixture.Bmcs.ReadState(bmc, "boot")); // ipmi_sim's word for "boot from disk"
        var after = await Admin.GetMachineAsync(machine.HardwareName);
        Assert.Equal((MachineState.InUse, image.Name), (after.State, after.Image));
        var health = after.Bmc!.Health;
        Assert.NotNull(health);
        Assert.Equal(BmcHealthStatus.Ok, health.Status);
        Assert.Equal(["boot_mode_not_reported", "boot_persistence_not_reported", "boot_valid_not_reported"], health.Quirks);
    }

    private async Task<JobView> WaitAsync(long id, Func<JobView, bool> done, CancellationToken ct)
    {
        while (true)
        {
            var job = await Admin.GetJobAsync(id, ct);
            if (done(job)) return job;
            await Task.Delay(50, ct);
        }
    }

    /// <summary>The BMC watch against ipmi_sim: a sweep's session and power read succeed on it, and once its process is
    /// gone the sweep marks it unreachable. (In this class: its fixture owns the ipmi_sim addresses.)</summary>
    [Fact]
    public async Task TheWatch_ProbesIpmiSim_AndFindsItUnreachableOnceItIsGone()
    {
        var (machine, bmc) = await fixture.MachineAsync();
        var watch = fixture.Server.Services.GetRequiredService<BmcWatch>();
        await watch.SweepAsync(CancellationToken.None, spread: TimeSpan.Zero);
        Assert.NotEqual(BmcHealthStatus.Unreachable, (await Admin.GetMachineAsync(machine.HardwareName)).Bmc?.Health?.Status ?? BmcHealthStatus.Ok);
        Assert.Empty(await Admin.GetBmcHealthAsync(machine.HardwareName)); // it answered: nothing changed

        System.Diagnostics.Process.GetProcessById(fixture.Bmcs.ProcessIds[bmc]).Kill();
        await watch.SweepAsync(CancellationToken.None, spread: TimeSpan.Zero);
        Assert.Equal(BmcHealthStatus.Unreachable, (await Admin.GetMachineAsync(machine.HardwareName)).Bmc?.Health?.Status);
        Assert.Equal(BmcHealthStatus.Unreachable, Assert.Single(await Admin.GetBmcHealthAsync(machine.HardwareName)).Status);
    }
}
