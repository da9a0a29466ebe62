using System.Globalization;
using System.Text;
using Ingot.Client;

namespace Ingot.Tests.Cluster;

/// <summary>Issue 13: no machine is allocated twice. Eight requests for 160 machines race for 100 through two `ingot
/// serve` processes on one PostgreSQL, each node's reconciler allocating too; the database lets each machine go to one
/// request only.</summary>
[Collection(ClusterCollection.Name)]
public sealed class AllocationRaceTests
{
    private const int Machines = 100;

    [Fact]
    public async Task Requests_racing_through_two_nodes_for_too_few_machines_never_share_one_and_take_them_all()
    {
        var jobs = new Dictionary<string, string>(ClusterCollection.FastJobs(workers: 4, leaseSeconds: 5))
        {
            ["INGOT_JOBS_RUN_WORKERS"] = "false", // the installs stay queued: this is about who gets which machine
            ["INGOT_REQUESTS_INTERVAL_SECONDS"] = "0.05",
        };
        await using var cluster = await ClusterRun.StartAsync(Machines, jobs);
        var a = await cluster.StartNodeAsync();
        var b = await cluster.StartNodeAsync();
        var admin = cluster.Client(a);
        await admin.CreateSiteAsync(new SiteCreate("lon1"));
        foreach (var rack in new[] { "r1", "r2", "r3", "r4" }) await admin.CreateRackAsync(new RackCreate("lon1", rack));
        await admin.CreateSkuAsync(new SkuCreate("high-io", 8, 64, 4, 1000, 2));
        await admin.CreateTeamAsync(new TeamCreate("storage"));
        await admin.CreateRoleAsync(new RoleCreate("fancydb", "storage"));
        await admin.CreateImageAsync(new ImageCreate("debian-12", ImageKind.Install, "http://images.invalid/k", "http://images.invalid/i"));
        var csv = new StringBuilder("serial,site,rack,sku,bmc_driver,bmc_address,bmc_port,bmc_username,bmc_password\n");
        var i = 0;
        foreach (var ep in cluster.Fleet.IpmiEndpoints)
            csv.Append(CultureInfo.InvariantCulture, $"RACE{i:D4},lon1,r{i++ % 4 + 1},high-io,sim,{ep.Address},{ep.Port},admin,password\n");
        var imported = await admin.ImportMachinesAsync(csv.ToString());
        Assert.Equal(0, imported.Rejected);
        await Task.WhenAll(imported.HardwareNames.Chunk(25).Select(async chunk =>
        {
            foreach (var name in chunk) await admin.TransitionAsync(name, "commission");
        }));

        var nodes = new[] { cluster.Client(a), cluster.Client(b) };
        var requests = await Task.WhenAll(Enumerable.Range(0, 8).Select(n =>
            nodes[n % 2].CreateRequestAsync(new RequestCreate("fancydb", "lon1", "high-io", 20, "debian-12", Spread: false))));
        // Let both reconcilers go round a few times, each trying to fill the requests left short.
        await Task.Delay(TimeSpan.FromSeconds(2));

        var views = await Task.WhenAll(requests.Select(r => admin.GetRequestAsync(r.Id)));
        var held = views.SelectMany(v => v.Machines.Where(m => m.Status == "installing").Select(m => (m.MachineId, Request: v.Id))).ToList();
        Assert.Equal(held.Count, held.Select(h => h.MachineId).Distinct().Count());
        Assert.Equal(Machines, held.Count);
        Assert.All(views, v => Assert.InRange(v.Installing, 0, 20));
        Assert.Equal(160 - Machines, views.Sum(v => v.ShortBy));
        Assert.All(views.Where(v => v.ShortBy > 0), v => Assert.StartsWith($"short by {v.ShortBy}: 0 available", v.ShortReason));
        var allocated = await admin.SearchMachinesAsync(new MachineQuery(State: "allocated", Limit: 1000));
        Assert.Equal(Machines, allocated.Items.Count);
        Assert.False(a.HasExited || b.HasExited, cluster.Logs());
    }
}
