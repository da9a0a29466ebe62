using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Ingot.Bmc;
using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Jobs;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Simulator;
using Ingot.Simulator.Ipmi;
using Ingot.Simulator.Machines;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingot.Server.Tests.Jobs;

/// <summary>The only server restarting (issue 11 A.8): what its predecessor was doing resumes at once, and what the
/// machines were telling it is not lost.</summary>
public sealed class RestartTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ARestart_ResumesThePredecessorsRunningJobsAtOnce_OnSqlite_AndLeavesThemToTheirLeases_OnPostgres()
    {
        await using var bmcs = await IpmiFleet.StartAsync(new SimulatorOptions
        {
            IpmiBase = IPAddress.Parse("127.0.22.1"), IpmiPort = 0, PortPerBmc = true, InitialPower = PowerState.On,
        });
        await using var first = await TestServer.StartAsync();
        var ep = bmcs.IpmiEndpoints[0];
        var machine = await first.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial(), Bmc: new BmcInput("sim", ep.Address.ToString(), ep.Port, "admin", "password")));
        var job = await first.Admin.SubmitJobAsync(machine.HardwareName, JobActions.PowerCycle);
        // The predecessor at its end: a run that had claimed the job, with an hour's lease, when its process was killed.
        var killed = new DatabaseJobQueue(first.Services.GetRequiredService<Database>(), first.Services.GetRequiredService<SecretBox>(),
            new JobOptions { Lease = TimeSpan.FromHours(1) }, TimeProvider.System, NullLogger<DatabaseJobQueue>.Instance);
        Assert.Single(await killed.ClaimAsync(1, CancellationToken.None));
        await first.StopAsync();

        var logs = new LogCapture();
        await using var second = await TestServer.RestartAsync(first, SimulatedFleetServer.FastJobs, SimulatedFleetServer.FastIpmi, logs);
        if (TestDatabase.IsPostgres)
        {
            // Another node may be alive on a shared database: the lease is its holder's until it lapses.
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.Equal(JobStatus.Running, (await second.Admin.GetJobAsync(job.Id)).Status);
            Assert.Equal(0, bmcs.Bmcs[0].Boots);
            return;
        }
        using var timeout = new CancellationTokenSource(Patience);
        var clock = Stopwatch.StartNew();
        var done = await second.Admin.WaitForJobAsync(job.Id, TimeSpan.FromMilliseconds(50), timeout.Token);
        Assert.Equal(JobStatus.Succeeded, done.Status);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}"); // not the hour of its lease
        Assert.Equal(1, bmcs.Bmcs[0].Boots);
        Assert.Contains(logs.Entries, e => e.Message.StartsWith("Took back 1 jobs that the previous run of this server held", StringComparison.Ordinal));
    }

    /// <summary>A SQLite file is one node's: a second server on it (here in the same process, as a second process would be)
    /// is refused at start, naming the file, rather than running the first one's jobs a second time.</summary>
    [Fact]
    public async Task ASecondServerOnTheSameSqliteFile_IsRefusedAtStart_NamingIt()
    {
        if (TestDatabase.IsPostgres) return; // any number of nodes share a PostgreSQL database: nothing to refuse
        await using var first = await TestServer.StartAsync();
        var e = await Assert.ThrowsAsync<DatabaseInUseException>(() => Ingot.Server.Hosting.ServerHost.BuildAsync(new Ingot.Server.Hosting.ServerSettings
        {
            DataDirectory = first.DataDirectory, Urls = ["http://127.0.0.1:0"], AdminToken = first.AdminToken,
        }));
        Assert.Contains(Path.Combine(first.DataDirectory, "ingot.db"), e.Message);
        Assert.Contains("in use by another Ingot server", e.Message);
        await first.StopAsync();
        // Once the first has stopped, the file is free again.
        await using var next = await TestServer.RestartAsync(first);
        Assert.True((await next.Admin.WhoAmIAsync()).Admin);
    }

    [Fact]
    public async Task AnInstallersCallback_ThatMeetsTheServerStopped_LandsOnceItIsBack_AndTheInstallEndsWithoutWaitingForItsDeadline()
    {
        var jobs = SimulatedFleetServer.FastJobs with { MaxAttempts = 1 };
        await using var server = await TestServer.StartAsync(jobs: jobs, ipmi: SimulatedFleetServer.FastIpmi);
        await using var fleet = await SimulatedFleet.StartAsync(new FleetOptions
        {
            Server = server.Url, SerialPrefix = $"RS{Guid.NewGuid().ToString("N")[..6].ToUpperInvariant()}-",
            Bmcs = new SimulatorOptions { IpmiBase = IPAddress.Parse("127.0.23.1"), IpmiPort = 0, PortPerBmc = true },
            // The documented retry policy, its first wait shortened: four tries in 1.4 s, which a restart outlasts, were all
            // a callback had before (so the installer gave up, and its install waited out the image's deadline).
            Timings = BootTimings.Default with { Install = TimeSpan.FromSeconds(1.5), RetryBackoff = TimeSpan.FromMilliseconds(200) },
        });
        var image = (await server.Admin.CreateImageAsync(new ImageCreate(Unique.Name("debian"), ImageKind.Install, "http://images.invalid/vmlinuz",
            "http://images.invalid/initrd", DeadlineSeconds: 600))).Name;
        var sim = fleet.Machines[0];
        var machine = await server.Admin.CreateMachineAsync(new MachineCreate(sim.Identity.Serial,
            Nics: [.. sim.Identity.Macs.Select((m, i) => new NicInput(m, $"eth{i}"))],
            Bmc: new BmcInput("sim", fleet.IpmiEndpoints[0].Address.ToString(), fleet.IpmiEndpoints[0].Port, "admin", "password")));
        foreach (var trigger in new[] { "commission", "allocate", "install", "finish_install" })
            await server.Admin.TransitionAsync(machine.HardwareName, trigger);
        var job = await server.Admin.SubmitJobAsync(machine.HardwareName, JobActions.Reimage,
            new Dictionary<string, JsonElement> { ["image"] = JsonSerializer.SerializeToElement(image) }, force: true);
        using var timeout = new CancellationTokenSource(Patience);
        while ((await server.Admin.GetJobAsync(job.Id, timeout.Token)).Steps.Single(s => s.Name == "wait_installer_finished").Status != StepStatus.Waiting)
            await Task.Delay(20, timeout.Token);

        await server.StopAsync();
        var down = Stopwatch.StartNew();
        while (!sim.Log.Entries.Any(e => e.Text.Contains("/boot/events") && e.Text.Contains("trying again")))
            await Task.Delay(20, timeout.Token);
        var rest = TimeSpan.FromSeconds(2) - down.Elapsed; // down longer than those four tries took
        if (rest > TimeSpan.Zero) await Task.Delay(rest, timeout.Token);
        await using var back = await TestServer.RestartAsync(server, jobs, SimulatedFleetServer.FastIpmi);

        var done = await back.Admin.WaitForJobAsync(job.Id, TimeSpan.FromMilliseconds(50), timeout.Token);
        Assert.True(done.Status == JobStatus.Succeeded, $"{done.Status}: {done.Error}");
        Assert.Equal(MachineState.InUse, (await back.Admin.GetMachineAsync(machine.HardwareName, timeout.Token)).State);
        Assert.Equal(BootOutcome.Installed, sim.LastOutcome);
        Assert.Equal(1, done.Attempt);
    }
}
