using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Server.Tests.SelfService;

namespace Ingot.Server.Tests.Capacity;

/// <summary>Issue 13's reclaim on a server whose clock the test moves, so that "idle for N days" is days. No workers: the
/// run's recycle batches stay queued, which is all the run decides; the machines are put in their states by hand, as
/// operators do, with the clock moved between.</summary>
public sealed class ReclaimTests : IAsyncLifetime
{
    private readonly ManualClock clock = new(new DateTimeOffset(2031, 5, 1, 9, 0, 0, TimeSpan.Zero));
    private TestServer server = null!;
    private IngotClient Admin => server.Admin;
    private string site = "", sku = "";

    public async Task InitializeAsync()
    {
        server = await TestServer.StartAsync(clock: clock);
        site = (await Admin.CreateSiteAsync(new SiteCreate("lon1"))).Name;
        await Admin.CreateSiteAsync(new SiteCreate("ash2"));
        sku = (await Admin.CreateSkuAsync(new SkuCreate("high-io", 8, 32, 1, 100, 1))).Name;
        await Admin.CreateImageAsync(new ImageCreate("wipe", ImageKind.Wipe, "http://images.invalid/wk", "http://images.invalid/wi"));
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    /// <summary>A machine moved by hand through <paramref name="triggers"/>, with the role (and a name) before them.</summary>
    private async Task<MachineView> MachineAsync(string? role, string at = "lon1", params string[] triggers)
    {
        var m = await Admin.CreateMachineAsync(new MachineCreate(Unique.Serial(), Site: at, Sku: sku, Bmc: new BmcInput("ipmi", "127.0.9.9", 623, "admin", "password")));
        await Admin.TransitionAsync(m.HardwareName, "commission");
        if (role is not null) await Admin.UpdateMachineAsync(m.HardwareName, new MachineUpdate(Role: role, Hostname: Unique.Name(role) + ".example"));
        foreach (var trigger in triggers) m = await Admin.TransitionAsync(m.HardwareName, trigger, "test");
        return m;
    }

    [Fact]
    public async Task The_dry_run_lists_each_rules_machines_with_reasons_and_the_run_recycles_exactly_those_as_batches()
    {
        await Admin.CreateTeamAsync(new TeamCreate("ghosts")); // no members: its roles are nobody's
        await Admin.CreateRoleAsync(new RoleCreate("orphan", "ghosts"));
        var (member, team, app) = await Accounts.TeamMemberAsync(server);

        var orphaned = await MachineAsync("orphan", "lon1", "allocate", "install", "finish_install");
        var unused = await MachineAsync(app, "lon1", "allocate");
        var defunct = await MachineAsync(null, "ash2", "fail");
        var minding = await MachineAsync(app, "lon1", "allocate");
        await Admin.SetMaintenanceAsync(minding.HardwareName, true, "vendor RMA");
        clock.Advance(TimeSpan.FromDays(5));
        var freshlyBroken = await MachineAsync(null, "lon1", "fail");
        var used = await MachineAsync(app, "lon1", "allocate", "install", "finish_install");
        var touched = await MachineAsync(app, "lon1", "allocate");
        clock.Advance(TimeSpan.FromDays(3));
        // A power job is someone at work: an allocated machine with a job in the window is not "never installed".
        await Admin.SubmitJobAsync(touched.HardwareName, JobActions.PowerOn);
        clock.Advance(TimeSpan.FromDays(1));

        var report = await Admin.ReclaimReportAsync();
        Assert.Equal(ReclaimRules.All, report.Rules);
        Assert.Equal(
            [(orphaned.Id, ReclaimRules.UnownedRole), (unused.Id, ReclaimRules.NeverInstalled), (defunct.Id, ReclaimRules.Defunct)],
            report.Machines.Select(m => (m.MachineId, m.Rule)));
        Assert.Equal("its role orphan belongs to team ghosts, which has no members", report.Machines[0].Reason);
        Assert.Equal($"allocated to {app} since 2031-05-01 09:00 UTC and never installed (no job in 3 days)", report.Machines[1].Reason);
        Assert.Equal("broken since 2031-05-01 09:00 UTC, no change or job in 7 days", report.Machines[2].Reason);
        Assert.Equal(new Dictionary<string, int> { ["lease_expired"] = 0, ["unowned_role"] = 1, ["never_installed"] = 1, ["defunct"] = 1 }, report.Counts);
        // Selected but left: in maintenance, and the machine with a job queued on it (the power-on, no workers here).
        Assert.Equal([(minding.Id, "in maintenance (vendor RMA): whoever put it there decides")],
            report.Skipped.Where(s => s.Rule == ReclaimRules.NeverInstalled).Select(s => (s.MachineId, s.Reason)));
        Assert.DoesNotContain(report.Machines, m => m.MachineId == freshlyBroken.Id || m.MachineId == used.Id || m.MachineId == touched.Id);

        // Narrower asks: one rule, one site, a shorter idle time.
        Assert.Equal([defunct.Id], (await Admin.ReclaimReportAsync(new ReclaimRunRequest(Rules: [ReclaimRules.Defunct]))).Machines.Select(m => m.MachineId));
        Assert.Equal([defunct.Id], (await Admin.ReclaimReportAsync(new ReclaimRunRequest(Site: "ash2"))).Machines.Select(m => m.MachineId));
        Assert.Contains(freshlyBroken.Id, (await Admin.ReclaimReportAsync(new ReclaimRunRequest(DefunctDays: 2))).Machines.Select(m => m.MachineId));

        // A member of the role's team may look, not run.
        Assert.Equal(3, (await member.Client.ReclaimReportAsync()).Machines.Count);
        Assert.Equal(403, (await Assert.ThrowsAsync<IngotApiException>(() => member.Client.ReclaimAsync(new ReclaimRunRequest()))).Problem.Status);
        // A run whose dry run is stale is refused, and changes nothing.
        var stale = await Assert.ThrowsAsync<IngotApiException>(() => Admin.ReclaimAsync(new ReclaimRunRequest(Expect: 2)));
        Assert.Equal(409, stale.Problem.Status);
        Assert.Contains("lists 3 machine(s) now, not 2", stale.Problem.Detail);

        var run = await Admin.ReclaimAsync(new ReclaimRunRequest(Expect: 3));
        Assert.Equal(report.Machines.Select(m => m.MachineId), run.Report.Machines.Select(m => m.MachineId));
        // One batch per site, each a recycle of exactly that site's machines, forced, by the caller.
        var sites = report.Machines.ToDictionary(m => m.MachineId, m => m.Site);
        var bySite = new Dictionary<string, List<long>>();
        foreach (var batch in run.Batches)
        {
            Assert.Equal((JobActions.Recycle, "admin", true), (batch.Action, batch.User, batch.Force));
            var jobs = (await Admin.ListJobsAsync(new JobQuery(Batch: batch.Id))).Items;
            Assert.All(jobs, j => Assert.Equal((JobActions.Recycle, JobStatus.Queued), (j.Action, j.Status)));
            bySite.Add(Assert.Single(jobs.Select(j => sites[j.Target.MachineId]).Distinct())!, [.. jobs.Select(j => j.Target.MachineId).Order()]);
        }
        Assert.Equal(new Dictionary<string, List<long>> { ["ash2"] = [defunct.Id], ["lon1"] = [.. new[] { orphaned.Id, unused.Id }.Order()] }, bySite);
        var audit = (await Admin.ListAuditAsync("admin")).Items;
        Assert.Contains(audit, a => a.Action == "POST /api/v1/reclaim" && a.Status == 200);
        // Their recycles are queued: a second look selects none of them again. The idle rules see the fresh job; the
        // orphan is still nobody's, and is left as busy.
        var again = await Admin.ReclaimReportAsync();
        Assert.Empty(again.Machines);
        Assert.Contains("(recycle) is queued or running on it", Assert.Single(again.Skipped, s => s.MachineId == orphaned.Id).Reason);
    }

    [Fact]
    public async Task A_bad_ask_names_each_field_and_an_unknown_site_is_not_a_clean_fleet()
    {
        var bad = await Assert.ThrowsAsync<IngotApiException>(() => Admin.ReclaimAsync(new ReclaimRunRequest(Rules: ["defunct", "stale"], DefunctDays: -1)));
        Assert.Equal(422, bad.Problem.Status);
        Assert.Equal(["defunct_days", "rules"], bad.Problem.Errors!.Keys.Order());
        Assert.Contains("'stale' is not a reclaim rule", Assert.Single(bad.Problem.Errors["rules"]));
        var site = await Assert.ThrowsAsync<IngotApiException>(() => Admin.ReclaimReportAsync(new ReclaimRunRequest(Site: "lon2")));
        Assert.Equal("no site is named 'lon2'.", Assert.Single(site.Problem.Errors!["site"]));
        var nothing = await Admin.ReclaimAsync(new ReclaimRunRequest());
        Assert.Equal((0, 0), (nothing.Report.Machines.Count, nothing.Batches.Count));

        // Without a wipe image the recycles would fail and leave the machines broken: refused, nothing changed.
        await MachineAsync(null, "lon1", "allocate", "install", "finish_install"); // in use without a role: unowned
        await Admin.DeleteImageAsync("wipe");
        var noWipe = await Assert.ThrowsAsync<IngotApiException>(() => Admin.ReclaimAsync(new ReclaimRunRequest(Expect: 1)));
        Assert.Equal(409, noWipe.Problem.Status);
        Assert.Contains("no wipe image is in the catalog", noWipe.Problem.Detail);
        Assert.Empty((await Admin.ListBatchesAsync(new BatchQuery())).Items);
    }
}
