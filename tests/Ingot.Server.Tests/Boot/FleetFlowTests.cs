using System.Net;
using System.Text.Json;
using Ingot.Bmc;
using Ingot.Client;
using Ingot.Server.Boot;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Server.Tests.Jobs;
using Ingot.Simulator;
using Ingot.Simulator.Ipmi;
using Ingot.Simulator.Machines;

namespace Ingot.Server.Tests.Boot;

/// <summary>A server with workers and the simulator's network-booting machines (127.0.9.x): the lifecycle flows end to
/// end — IPMI to the BMCs, HTTP boot scripts, installer and wipe callbacks, discovery reports.</summary>
public sealed class NetworkBootFixture : IAsyncLifetime
{
    public TestServer Server { get; private set; } = null!;
    public SimulatedFleet Fleet { get; private set; } = null!;
    private int next = -1;

    public async Task InitializeAsync()
    {
        Server = await TestServer.StartAsync(jobs: BrokerFixture.FastJobs with { MaxAttempts = 3 }, ipmi: BrokerFixture.FastIpmi,
            discovery: new DiscoveryCredentials("admin", "password", [IPNetwork.Parse("127.0.9.0/24")]));
        Fleet = await SimulatedFleet.StartAsync(new FleetOptions
        {
            Server = Server.Url, Count = 12, SerialPrefix = $"NB{Guid.NewGuid().ToString("N")[..6].ToUpperInvariant()}-",
            Bmcs = new SimulatorOptions { IpmiBase = IPAddress.Parse("127.0.9.1"), IpmiPort = 0, PortPerBmc = true },
            Timings = BootTimings.Default with { Install = TimeSpan.FromMilliseconds(300), Wipe = TimeSpan.FromMilliseconds(200), Discover = TimeSpan.FromMilliseconds(100) },
        });
        foreach (var (kind, name) in new[] { (ImageKind.Install, "debian-12"), (ImageKind.Wipe, "wipe"), (ImageKind.Discovery, "discovery") })
            await Server.Admin.CreateImageAsync(new ImageCreate(name, kind, $"http://images.invalid/{name}/vmlinuz", $"http://images.invalid/{name}/initrd",
                DeadlineSeconds: 120));
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Fleet.DisposeAsync();
    }

    public SimulatedMachine Take() => Fleet.Machines[Interlocked.Increment(ref next)];

    /// <summary>Registers a simulated machine as an operator would (CSV or API) and moves it to <paramref name="state"/>
    /// by hand.</summary>
    public async Task<MachineView> RegisterAsync(SimulatedMachine machine, params string[] triggers)
    {
        var ep = Fleet.IpmiEndpoints[Fleet.Machines.ToList().IndexOf(machine)];
        var view = await Server.Admin.CreateMachineAsync(new MachineCreate(machine.Identity.Serial,
            Nics: [.. machine.Identity.Macs.Select((m, i) => new NicInput(m, $"eth{i}"))],
            Bmc: new BmcInput("sim", ep.Address.ToString(), ep.Port, "admin", "password")));
        foreach (var trigger in triggers) view = await Server.Admin.TransitionAsync(view.HardwareName, trigger);
        return view;
    }

    public async Task<JobView> RunAsync(string machine, string action, Dictionary<string, JsonElement>? parameters = null)
    {
        var job = await Server.Admin.SubmitJobAsync(machine, action, parameters, force: true);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await Server.Admin.WaitForJobAsync(job.Id, TimeSpan.FromMilliseconds(50), timeout.Token);
    }
}

public sealed class FleetFlowTests(NetworkBootFixture fixture) : IClassFixture<NetworkBootFixture>
{
    private IngotClient Admin => fixture.Server.Admin;

    [Fact]
    public async Task AnUnknownMachineThatNetworkBoots_IsDiscovered_RegisteredNew_AndCommissionedToAvailable()
    {
        var machine = fixture.Take();
        machine.Bmc.SetBoot(new BootSettings(BootDevice.Pxe)); // a blank disk: the firmware falls through to the network
        machine.Bmc.Apply(PowerAction.On);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        MachineView? found = null;
        while (found?.State != MachineState.Available)
        {
            await Task.Delay(100, timeout.Token);
            found = (await Admin.SearchMachinesAsync(new MachineQuery(Q: machine.Identity.Macs[0]), timeout.Token)).Items.SingleOrDefault();
        }
        Assert.Equal(machine.Identity.Serial, found.Serial);
        Assert.Equal(machine.Identity.Macs.Order(), found.Nics.Select(n => n.Mac).Order());
        Assert.True(found.Bmc!.HasPassword); // the site's discovery credentials
        var history = await Admin.HistoryAsync(found.HardwareName);
        Assert.Equal(["discover", "commission"], history.Select(h => h.Trigger));
        // The machine is available at the job's last step; the job itself ends a moment after (its own write).
        var commission = Assert.Single((await Admin.ListJobsAsync(new JobQuery(Machine: found.HardwareName))).Items);
        while (commission.Status == JobStatus.Running)
        {
            await Task.Delay(50, timeout.Token);
            commission = await Admin.GetJobAsync(commission.Id, timeout.Token);
        }
        Assert.Equal(("commission", "discovery", JobStatus.Succeeded), (commission.Action, commission.User, commission.Status));
    }

    [Fact]
    public async Task Reimage_OfARunningMachine_InstallsTheImage_AndItBootsFromDiskAfter()
    {
        var machine = fixture.Take();
        var view = await fixture.RegisterAsync(machine, "commission", "allocate", "install", "finish_install");
        var job = await fixture.RunAsync(view.HardwareName, JobActions.Reimage, new() { ["image"] = JsonSerializer.SerializeToElement("debian-12") });
        Assert.True(job.Status == JobStatus.Succeeded, $"{job.Status}: {job.Error}");
        Assert.Equal(1, machine.Counters.InstallsFinished);
        var after = await Admin.GetMachineAsync(view.HardwareName);
        Assert.Equal((MachineState.InUse, "debian-12"), (after.State, after.Image));
        Assert.Equal(BootDevice.Disk, machine.Bmc.Boot.Device);
    }

    [Fact]
    public async Task Install_OfAnAllocatedMachine_GivesItTheHostnameAndRole_AndEndsInUse()
    {
        var machine = fixture.Take();
        var view = await fixture.RegisterAsync(machine, "commission", "allocate");
        var team = await Admin.CreateTeamAsync(new TeamCreate(Unique.Name("team")));
        var role = await Admin.CreateRoleAsync(new RoleCreate(Unique.Name("cachedb"), team.Name));
        var hostname = $"{role.Name}-7.lon1.example.net";
        var job = await fixture.RunAsync(view.HardwareName, JobActions.Install, new()
        {
            ["image"] = JsonSerializer.SerializeToElement("debian-12"),
            ["hostname"] = JsonSerializer.SerializeToElement(hostname),
            ["role"] = JsonSerializer.SerializeToElement(role.Name),
        });
        Assert.True(job.Status == JobStatus.Succeeded, $"{job.Status}: {job.Error}");
        Assert.Equal("assign_name", job.Steps[0].Name);
        var after = await Admin.GetMachineAsync(hostname);
        Assert.Equal((MachineState.InUse, role.Name, team.Name, "debian-12"), (after.State, after.Role, after.Team, after.Image));
        var other = await fixture.RegisterAsync(fixture.Take(), "commission", "allocate");
        var clash = await Assert.ThrowsAsync<IngotApiException>(() => Admin.SubmitJobAsync(other.HardwareName, JobActions.Install, new Dictionary<string, JsonElement>
        {
            ["image"] = JsonSerializer.SerializeToElement("debian-12"), ["hostname"] = JsonSerializer.SerializeToElement(hostname),
        }));
        Assert.Equal(422, clash.Problem.Status);
        Assert.Contains("already another machine's hostname", clash.Problem.Errors!["params.hostname"].Single());
    }

    [Fact]
    public async Task Recycle_WipesTheMachine_AndReleasesItsRoleAndHostname()
    {
        var machine = fixture.Take();
        var view = await fixture.RegisterAsync(machine, "commission", "allocate", "install", "finish_install");
        var team = await Admin.CreateTeamAsync(new TeamCreate(Unique.Name("team")));
        var role = await Admin.CreateRoleAsync(new RoleCreate(Unique.Name("fancydb"), team.Name));
        var hostname = $"{role.Name}-1.lon1.example.net";
        await Admin.UpdateMachineAsync(view.HardwareName, new MachineUpdate(Hostname: hostname, Role: role.Name));
        var job = await fixture.RunAsync(hostname, JobActions.Recycle);
        Assert.True(job.Status == JobStatus.Succeeded, $"{job.Status}: {job.Error}");
        Assert.Equal(1, machine.Counters.Wipes);
        var after = await Admin.GetMachineAsync(view.HardwareName);
        Assert.Equal(MachineState.Available, after.State);
        Assert.Null(after.Hostname);
        Assert.Null(after.Role);
    }

    [Fact]
    public async Task WipeDisks_OfAnInUseMachine_BootsTheWipeImage_KeepsItInUseWithItsName_AndClearsItsImage()
    {
        var machine = fixture.Take();
        var view = await fixture.RegisterAsync(machine, "commission", "allocate", "install", "finish_install");
        var reimage = await fixture.RunAsync(view.HardwareName, JobActions.Reimage, new() { ["image"] = JsonSerializer.SerializeToElement("debian-12") });
        Assert.True(reimage.Status == JobStatus.Succeeded, $"{reimage.Status}: {reimage.Error}");
        var team = await Admin.CreateTeamAsync(new TeamCreate(Unique.Name("team")));
        var role = await Admin.CreateRoleAsync(new RoleCreate(Unique.Name("wipedb"), team.Name));
        var hostname = $"{role.Name}-1.lon1.example.net";
        await Admin.UpdateMachineAsync(view.HardwareName, new MachineUpdate(Hostname: hostname, Role: role.Name));
        Assert.Equal("debian-12", (await Admin.GetMachineAsync(hostname)).Image);

        var job = await fixture.RunAsync(hostname, JobActions.WipeDisks);

        Assert.True(job.Status == JobStatus.Succeeded, $"{job.Status}: {job.Error}");
        // The machine ran the wipe image to its end (the simulator counts it), not the installer again.
        Assert.Equal((1L, 1L), (machine.Counters.Wipes, machine.Counters.InstallsFinished));
        Assert.Contains(job.Events ?? [], e => e.Event == "finished");
        Assert.Equal("clear_installed_image", job.Steps[^1].Name);
        var after = await Admin.GetMachineAsync(view.HardwareName);
        Assert.Equal((MachineState.InUse, hostname, role.Name), (after.State, after.Hostname, after.Role));
        Assert.Null(after.Image);
        Assert.Null(after.InstalledAt);
        Assert.Equal(BootDevice.Disk, machine.Bmc.Boot.Device);
        Assert.DoesNotContain(await Admin.HistoryAsync(view.HardwareName), h => h.Actor.EndsWith($"(job {job.Id})")); // no transition
    }

    [Fact]
    public async Task Decommission_WipesThenPowersOff_AndTheMachineLeavesTheFleet()
    {
        var machine = fixture.Take();
        var view = await fixture.RegisterAsync(machine, "commission");
        var job = await fixture.RunAsync(view.HardwareName, JobActions.Decommission);
        Assert.True(job.Status == JobStatus.Succeeded, $"{job.Status}: {job.Error}");
        Assert.Equal(1, machine.Counters.Wipes);
        Assert.Equal(PowerState.Off, machine.Bmc.Power);
        Assert.Equal(MachineState.Decommissioned, (await Admin.GetMachineAsync(view.HardwareName)).State);
    }
}
