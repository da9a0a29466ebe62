using System.Net;
using System.Text.Json;
using Ingot.Client;
using Ingot.Server.Jobs;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Server.Tests.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace Ingot.Server.Tests.Boot;

/// <summary>What the boot-trust tests share: an in-use machine, a reimage of it, and waiting for its steps.</summary>
public static class BootTrust
{
    public static async Task<string> ImageAsync(IngotClient admin, int deadlineSeconds = 600) =>
        (await admin.CreateImageAsync(new ImageCreate(Unique.Name("debian"), ImageKind.Install, "http://images.example/vmlinuz",
            "http://images.example/initrd.img", DeadlineSeconds: deadlineSeconds))).Name;

    public static async Task<JobView> ReimageAsync(IngotClient admin, MachineView machine, string image)
    {
        foreach (var trigger in new[] { "commission", "allocate", "install", "finish_install" })
            await admin.TransitionAsync(machine.HardwareName, trigger);
        return await admin.SubmitJobAsync(machine.HardwareName, JobActions.Reimage,
            new Dictionary<string, JsonElement> { ["image"] = JsonSerializer.SerializeToElement(image) }, force: true);
    }

    public static async Task<JobView> UntilAsync(IngotClient admin, long id, Func<JobView, bool> done, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var job = await admin.GetJobAsync(id);
            if (done(job)) return job;
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"waited 20 s for {what}: {JsonSerializer.Serialize(job, IngotJson.Options)}");
            await Task.Delay(20);
        }
    }

    public static bool Waits(JobView job, string step) => job.Steps.Single(s => s.Name == step).Status == StepStatus.Waiting;
}

public sealed class BootTrustFixture() : SimulatedFleetServer("127.0.31.1", 4);

/// <summary>Issue 11 B.1: every GET /boot/ipxe for an installing machine minted a fresh boot token, so anyone who knew
/// its MAC could post 'finished' for a hung install and make the machine in_use. A job attempt now hands out one
/// token, to its own boot.</summary>
public sealed class BootTrustTests(BootTrustFixture fleet) : IClassFixture<BootTrustFixture>
{
    private IngotClient Admin => fleet.Server.Admin;

    [Fact]
    public async Task A_second_boot_script_fetch_gets_no_token_so_it_cannot_finish_a_hung_install_nor_change_the_boot_mode()
    {
        var image = await BootTrust.ImageAsync(Admin);
        var (machine, bmc) = await fleet.MachineAsync();
        var installer = new TestInstaller(fleet.Server.Url, bmc, machine.Nics[0].Mac) { HangsOnBoot = _ => true };
        var job = await BootTrust.ReimageAsync(Admin, machine, image);
        await BootTrust.UntilAsync(Admin, job.Id, j => BootTrust.Waits(j, "wait_installer_finished"), "the installer to report 'started'");
        var machineToken = Assert.Single(installer.Tokens);

        // Someone who knows the MAC asks for the script of the hung install, saying the machine is a legacy BIOS one.
        var (script, token) = await new TestInstaller(fleet.Server.Url, machine.Nics[0].Mac).FetchAsync(platform: "pcbios");

        Assert.Null(token);
        Assert.StartsWith($"#!ipxe\n# ingot: local (installing; job {job.Id} attempt 1 gave its boot token to an earlier boot", script);
        Assert.EndsWith("sanboot --no-describe --drive 0x80\n", script);
        var during = await Admin.GetMachineAsync(machine.HardwareName);
        Assert.Equal((MachineState.Installing, "uefi"), (during.State, during.ReportedBootMode));
        Assert.True(BootTrust.Waits(await Admin.GetJobAsync(job.Id), "wait_installer_finished"));
        Assert.Contains(fleet.Logs.Entries, e => e.Message.Contains($"The boot script of install job {job.Id} attempt 1") && e.Message.Contains("was asked for again"));

        // The machine's own installer still holds the attempt's token, and it alone finishes the install.
        Assert.Equal(HttpStatusCode.NoContent, (await installer.PostAsync(machineToken, new BootEvent("finished"))).StatusCode);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ended = await Admin.WaitForJobAsync(job.Id, TimeSpan.FromMilliseconds(50), timeout.Token);
        Assert.True(ended.Status == JobStatus.Succeeded, $"{ended.Status}: {ended.Error}");
        Assert.Equal(MachineState.InUse, (await Admin.GetMachineAsync(machine.HardwareName)).State);
        // An installer retrying the 'finished' whose answer it lost is acknowledged; the spent token says nothing else.
        Assert.Equal(HttpStatusCode.NoContent, (await installer.PostAsync(machineToken, new BootEvent("finished"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await installer.PostAsync(machineToken, new BootEvent("failed", Message: "late"))).StatusCode);
        Assert.Single((await Admin.GetJobAsync(job.Id)).Events!, e => e.Event == "finished");
    }

    [Fact]
    public async Task A_fetch_before_the_attempt_powers_the_machine_on_boots_the_disk_and_leaves_the_token_for_the_machines_own_boot()
    {
        var image = await BootTrust.ImageAsync(Admin);
        var (machine, bmc) = await fleet.MachineAsync();
        // The BMC answers slowly, so the job is still setting the boot device when the fetch comes.
        bmc.Faults = new Simulator.BmcFaults { Latency = TimeSpan.FromMilliseconds(300) };
        var installer = new TestInstaller(fleet.Server.Url, bmc, machine.Nics[0].Mac);
        var job = await BootTrust.ReimageAsync(Admin, machine, image);
        await BootTrust.UntilAsync(Admin, job.Id, j => j.Steps.Single(s => s.Name == "set_boot_pxe").Status == StepStatus.Running, "set_boot_pxe to run");

        var (early, token) = await new TestInstaller(fleet.Server.Url, machine.Nics[0].Mac).FetchAsync();
        bmc.Faults = Simulator.BmcFaults.None;

        Assert.Null(token);
        Assert.Contains($"# ingot: local (installing; job {job.Id} attempt 1 has not powered the machine on yet)", early);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ended = await Admin.WaitForJobAsync(job.Id, TimeSpan.FromMilliseconds(50), timeout.Token);
        Assert.True(ended.Status == JobStatus.Succeeded, $"{ended.Status}: {ended.Error}");
        Assert.Single(installer.Tokens);
    }
}

public sealed class ReplayFixture() : SimulatedFleetServer("127.0.32.1", 1);

/// <summary>Issue 11 B.1: a replayed 'started' was written again and woke the job again, each time (200 replays, 200
/// wake-ups). A replay is acknowledged and changes nothing.</summary>
public sealed class BootReplayTests(ReplayFixture fleet) : IClassFixture<ReplayFixture>
{
    private IngotClient Admin => fleet.Server.Admin;

    [Fact]
    public async Task Two_hundred_replayed_started_events_write_one_event_and_wake_the_job_once()
    {
        var image = await BootTrust.ImageAsync(Admin);
        var (machine, _) = await fleet.MachineAsync();
        var installer = new TestInstaller(fleet.Server.Url, machine.Nics[0].Mac); // the test boots it
        var job = await BootTrust.ReimageAsync(Admin, machine, image);
        await BootTrust.UntilAsync(Admin, job.Id, j => BootTrust.Waits(j, "wait_installer_started"), "the job to wait for its installer");
        var (_, token) = await installer.FetchAsync();
        Assert.NotNull(token);
        Assert.Equal(HttpStatusCode.NoContent, (await installer.PostAsync(token, new BootEvent("started"))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await installer.PostAsync(token, new BootEvent("progress", "partitioning", 40))).StatusCode);
        await BootTrust.UntilAsync(Admin, job.Id, j => BootTrust.Waits(j, "wait_installer_finished"), "the one wake-up to move the job on");
        // No worker runs from here on: a job woken again would stay queued, for the test to see.
        await fleet.Server.Services.GetRequiredService<JobWorkers>().StopAsync(CancellationToken.None);

        var replies = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => installer.PostAsync(token,
            i % 2 == 0 ? new BootEvent("started") : new BootEvent("progress", "partitioning", 40))));

        Assert.All(replies, r => Assert.Equal(HttpStatusCode.NoContent, r.StatusCode));
        var after = await Admin.GetJobAsync(job.Id);
        Assert.Equal(JobStatus.Running, after.Status);
        Assert.True(BootTrust.Waits(after, "wait_installer_finished"), JsonSerializer.Serialize(after, IngotJson.Options));
        Assert.Equal(["started", "progress"], after.Events!.Select(e => e.Event));
        // A new event is still recorded (nothing was spent by the replays).
        Assert.Equal(HttpStatusCode.NoContent, (await installer.PostAsync(token, new BootEvent("progress", "installing packages", 70))).StatusCode);
        Assert.Equal(3, (await Admin.GetJobAsync(job.Id)).Events!.Count);
    }
}

/// <summary>127.0.33.x.</summary>
public sealed class ManualClockBootFixture() : ManualClockFleet("127.0.33.1", 1);

/// <summary>Issue 11 B.1: a token stays bound to its attempt. After a retry, the previous attempt's installer (hung, then
/// waking up) cannot report for the attempt that replaced it.</summary>
public sealed class BootAttemptTests(ManualClockBootFixture fleet) : IClassFixture<ManualClockBootFixture>
{
    private IngotClient Admin => fleet.Server.Admin;

    [Fact]
    public async Task A_token_of_an_earlier_attempt_is_refused_after_a_retry()
    {
        var image = await BootTrust.ImageAsync(Admin, deadlineSeconds: 60);
        var (machine, _) = await fleet.MachineAsync();
        var installer = new TestInstaller(fleet.Server.Url, machine.Nics[0].Mac);
        var job = await BootTrust.ReimageAsync(Admin, machine, image);
        await BootTrust.UntilAsync(Admin, job.Id, j => j.Attempt == 1 && BootTrust.Waits(j, "wait_installer_started"), "attempt 1 to wait");
        var (_, first) = await installer.FetchAsync();
        Assert.NotNull(first);

        // Attempt 1's installer says nothing within the deadline: attempt 2 boots the machine again.
        fleet.Time.Advance(TimeSpan.FromSeconds(61));
        await BootTrust.UntilAsync(Admin, job.Id, j => j.Attempt == 2 && j.Status == JobStatus.Queued, "attempt 1 to time out");
        fleet.Time.Advance(TimeSpan.FromSeconds(5));
        await BootTrust.UntilAsync(Admin, job.Id, j => j.Attempt == 2 && BootTrust.Waits(j, "wait_installer_started"), "attempt 2 to wait");

        foreach (var late in new[] { new BootEvent("started"), new BootEvent("finished") })
        {
            var refused = await (await installer.PostAsync(first, late)).ProblemAsync(HttpStatusCode.Forbidden);
            Assert.Contains($"belongs to attempt 1 of job {job.Id}, which is over", refused.Detail);
        }
        var (_, second) = await installer.FetchAsync();
        Assert.NotNull(second);
        Assert.NotEqual(first, second);
        Assert.Equal(HttpStatusCode.NoContent, (await installer.PostAsync(second, new BootEvent("started"))).StatusCode);
        var after = await BootTrust.UntilAsync(Admin, job.Id, j => BootTrust.Waits(j, "wait_installer_finished"), "attempt 2 to see its installer start");
        Assert.Equal(2, after.Attempt);
        Assert.DoesNotContain(after.Events!, e => e.Attempt == 1);
        await Admin.CancelJobAsync(job.Id);
    }
}
