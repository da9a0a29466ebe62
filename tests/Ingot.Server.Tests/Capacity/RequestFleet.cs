using System.Net;
using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Server.Tests.Jobs;
using Ingot.Simulator;
using Ingot.Simulator.Ipmi;
using Ingot.Simulator.Machines;

namespace Ingot.Server.Tests.Capacity;

/// <summary>A server with workers, a quick request reconciler and the simulator's network-booting machines (127.0.12.x):
/// provisioning requests carried out end to end. Each test makes its own site, racks, SKU, team and role, and takes its
/// own machines from the fleet.</summary>
public class RequestFleet : IAsyncLifetime
{
    public TestServer Server { get; private set; } = null!;
    public SimulatedFleet Fleet { get; private set; } = null!;
    public const string Domain = "test.example";
    private int next = -1;

    /// <summary>Whether an expired request's machines are given back (INGOT_REQUESTS_RECYCLE_ON_EXPIRY).</summary>
    protected virtual bool RecycleOnExpiry => true;

    public virtual async Task InitializeAsync()
    {
        Server = await TestServer.StartAsync(jobs: BrokerFixture.FastJobs, ipmi: BrokerFixture.FastIpmi,
            configure: s => s with { Requests = s.Requests with { Interval = TimeSpan.FromMilliseconds(100), Domain = Domain, RecycleOnExpiry = RecycleOnExpiry } });
        Fleet = await SimulatedFleet.StartAsync(new FleetOptions
        {
            Server = Server.Url, Count = 32, SerialPrefix = $"RQ{Guid.NewGuid().ToString("N")[..6].ToUpperInvariant()}-",
            Bmcs = new SimulatorOptions { IpmiBase = IPAddress.Parse("127.0.12.1"), IpmiPort = 0, PortPerBmc = true },
            Timings = BootTimings.Default with { Install = TimeSpan.FromMilliseconds(300), Wipe = TimeSpan.FromMilliseconds(200) },
        });
        foreach (var (kind, name) in new[] { (ImageKind.Install, "debian-12"), (ImageKind.Wipe, "wipe") })
            await Server.Admin.CreateImageAsync(new ImageCreate(name, kind, $"http://images.invalid/{name}/vmlinuz", $"http://images.invalid/{name}/initrd",
                DeadlineSeconds: 120));
    }

    public virtual async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Fleet.DisposeAsync();
    }

    /// <summary>Where a test's machines live and whom they are for.</summary>
    public sealed record Place(string Site, IReadOnlyList<string> Racks, string Sku, string Team, string Role);

    public async Task<Place> PlaceAsync(int racks)
    {
        var site = (await Server.Admin.CreateSiteAsync(new SiteCreate(Unique.Name("site")))).Name;
        var names = new List<string>();
        for (var i = 0; i < racks; i++) names.Add((await Server.Admin.CreateRackAsync(new RackCreate(site, $"r{i + 1}"))).Name);
        var sku = (await Server.Admin.CreateSkuAsync(new SkuCreate(Unique.Name("sku"), 8, 32, 1, 100, 1))).Name;
        var team = (await Server.Admin.CreateTeamAsync(new TeamCreate(Unique.Name("team")))).Name;
        var role = (await Server.Admin.CreateRoleAsync(new RoleCreate(Unique.Name("db"), team))).Name;
        return new Place(site, names, sku, team, role);
    }

    /// <summary>A simulated machine registered in the place's rack and commissioned by hand: available.</summary>
    public async Task<(SimulatedMachine Sim, MachineView View)> AvailableAsync(Place place, string rack, MachineFaults? faults = null)
    {
        var index = Interlocked.Increment(ref next);
        var machine = Fleet.Machines[index];
        if (faults is not null) machine.Faults = faults;
        var ep = Fleet.IpmiEndpoints[index];
        var view = await Server.Admin.CreateMachineAsync(new MachineCreate(machine.Identity.Serial, Site: place.Site, Rack: rack, Sku: place.Sku,
            Nics: [.. machine.Identity.Macs.Select((m, i) => new NicInput(m, $"eth{i}"))],
            Bmc: new BmcInput("sim", ep.Address.ToString(), ep.Port, "admin", "password")));
        return (machine, await Server.Admin.TransitionAsync(view.HardwareName, "commission"));
    }

    public async Task<RequestView> WaitAsync(long id, Func<RequestView, bool> until, int seconds = 60)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var request = await Server.Admin.GetRequestAsync(id);
        while (!until(request))
        {
            try
            {
                await Task.Delay(100, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"request {id} is still {request.Status} after {seconds} s: {System.Text.Json.JsonSerializer.Serialize(request, IngotJson.Options)}");
            }
            request = await Server.Admin.GetRequestAsync(id);
        }
        return request;
    }
}

/// <summary>The same fleet on a server that keeps an expired request's machines: reclaim's lease_expired rule finds them.</summary>
public sealed class KeptLeaseFleet : RequestFleet
{
    protected override bool RecycleOnExpiry => false;
}
