using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.SelfService;

/// <summary>Issue 12: a team's members act on the machines of their team's roles and on no one else's; the free pool
/// and decommission are operators'; viewers act on nothing. One table (docs/authorization.md, Api/Permissions) for
/// single jobs, batches and cancels.</summary>
public sealed class OwnershipTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    private async Task<MachineView> MachineAsync(string? role = null, string? hostname = null) =>
        await Server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial(), Role: role, Hostname: hostname,
            Bmc: new BmcInput("ipmi", "127.0.9.9", 623, "admin", "password")));

    private static async Task<Problem> RefusedAsync(Task task) => (await Assert.ThrowsAsync<IngotApiException>(() => task)).Problem;

    [Fact]
    public async Task A_member_acts_on_their_teams_machines_and_is_told_whose_the_others_are()
    {
        var (web, webTeam, webRole) = await Accounts.TeamMemberAsync(Server);
        var (_, storageTeam, storageRole) = await Accounts.TeamMemberAsync(Server);
        var mine = await MachineAsync(webRole);
        var theirs = await MachineAsync(storageRole, $"{Unique.Name("db")}.lon1");
        var free = await MachineAsync();

        var job = await web.Client.SubmitJobAsync(mine.HardwareName, JobActions.PowerCycle);
        Assert.Equal((JobStatus.Queued, webTeam), (job.Status, job.Target.Team));

        var other = await RefusedAsync(web.Client.SubmitJobAsync(theirs.Hostname!, JobActions.PowerCycle));
        Assert.Equal(403, other.Status);
        Assert.Equal($"Machine {theirs.Hostname} belongs to team {storageTeam} through role {storageRole}; '{web.Name}' is in {webTeam}.", other.Detail);
        var pool = await RefusedAsync(web.Client.SubmitJobAsync(free.HardwareName, JobActions.PowerOn));
        Assert.Contains($"Machine {free.HardwareName} is in the free pool (it has no role), which operators manage", pool.Detail);
        var decommission = await RefusedAsync(web.Client.SubmitJobAsync(mine.HardwareName, JobActions.Decommission));
        Assert.Contains("'decommission' is for operators", decommission.Detail);
        // Nothing was queued by the refusals.
        Assert.Empty((await Server.Admin.ListJobsAsync(new JobQuery(Machine: theirs.HardwareName))).Items);
        Assert.Empty((await Server.Admin.ListJobsAsync(new JobQuery(Machine: free.HardwareName))).Items);
    }

    [Fact]
    public async Task An_operator_acts_on_every_machine_and_edits_the_inventory_and_a_viewer_reads_but_acts_on_nothing()
    {
        var (_, _, role) = await Accounts.TeamMemberAsync(Server);
        var owned = await MachineAsync(role);
        var free = await MachineAsync();
        var op = await Accounts.WithGrantAsync(Server, "operator");
        var viewer = await Accounts.WithGrantAsync(Server, "viewer");

        Assert.Equal(JobStatus.Queued, (await op.Client.SubmitJobAsync(owned.HardwareName, JobActions.PowerOn)).Status);
        Assert.Equal(JobStatus.Queued, (await op.Client.SubmitJobAsync(free.HardwareName, JobActions.PowerOn)).Status);
        Assert.NotNull(await op.Client.CreateSiteAsync(new SiteCreate(Unique.Name("opsite"))));

        Assert.Equal(owned.Id, (await viewer.Client.GetMachineAsync(owned.HardwareName)).Id);
        var refused = await RefusedAsync(viewer.Client.SubmitJobAsync(owned.HardwareName, JobActions.PowerOn));
        Assert.Equal(403, refused.Status);
        Assert.Contains("is a viewer: viewers read everything and act on nothing", refused.Detail);
        Assert.Equal(403, (await RefusedAsync(viewer.Client.CreateSiteAsync(new SiteCreate(Unique.Name("vsite"))))).Status);
        Assert.Equal("viewer", (await viewer.Client.WhoAmIAsync()).Grant);
    }

    [Fact]
    public async Task Whose_the_machine_is_is_checked_before_the_params_so_a_stranger_learns_nothing_more()
    {
        var (_, _, role) = await Accounts.TeamMemberAsync(Server);
        var (stranger, _, _) = await Accounts.TeamMemberAsync(Server);
        var theirs = await MachineAsync(role);

        // set_boot_device without its device: the owner's mistake is a 422; a stranger's request is a 403 all the same.
        var refused = await RefusedAsync(stranger.Client.SubmitJobAsync(theirs.HardwareName, JobActions.SetBootDevice));
        Assert.Equal(403, refused.Status);
        var invalid = await RefusedAsync(Server.Admin.SubmitJobAsync(theirs.HardwareName, JobActions.SetBootDevice));
        Assert.Equal((422, true), (invalid.Status, invalid.Errors!.ContainsKey("params.device")));
    }

    [Fact]
    public async Task A_batch_shows_the_teams_whose_machines_it_acts_on_and_each_hosts_team()
    {
        var (_, web, webRole) = await Accounts.TeamMemberAsync(Server);
        var (_, storage, storageRole) = await Accounts.TeamMemberAsync(Server);
        var mine = await MachineAsync(webRole);
        var theirs = await MachineAsync(storageRole);
        var free = await MachineAsync();
        var op = await Accounts.WithGrantAsync(Server, "operator");

        var accepted = await op.Client.SubmitBatchAsync(new BatchSubmit(JobActions.PowerOn, [mine.HardwareName, theirs.HardwareName, free.HardwareName]));
        var expected = new[] { web, storage }.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, accepted.Teams);
        Assert.Equal(expected, (await op.Client.GetBatchAsync(accepted.Id)).Teams);
        Assert.Equal(expected, (await op.Client.ListBatchesAsync(new BatchQuery(User: op.Name))).Items.Single().Teams);
        var hosts = (await op.Client.GetBatchHostsAsync(accepted.Id)).Items.ToDictionary(h => h.HardwareName, h => h.Team);
        Assert.Equal(new Dictionary<string, string?> { [mine.HardwareName] = web, [theirs.HardwareName] = storage, [free.HardwareName] = null }, hosts);
    }

    [Fact]
    public async Task Refusals_by_ownership_are_audited_as_denied_with_whose_the_machine_is_and_a_robot_is_named_with_its_token()
    {
        var (web, webTeam, webRole) = await Accounts.TeamMemberAsync(Server);
        var (_, storageTeam, storageRole) = await Accounts.TeamMemberAsync(Server);
        var mine = await MachineAsync(webRole);
        var theirs = await MachineAsync(storageRole);
        var robot = await Server.Admin.CreateUserAsync(new UserCreate(Unique.Name("robot"), ServiceOf: webTeam));
        var robotToken = await Server.Admin.CreateTokenAsync(new TokenCreate("deployer", robot.Name));

        await RefusedAsync(web.Client.SubmitJobAsync(theirs.HardwareName, JobActions.PowerCycle));
        await RefusedAsync(web.Client.SubmitBatchAsync(new BatchSubmit(JobActions.PowerCycle, [mine.HardwareName, theirs.HardwareName])));
        // Refused for a reason that is not ownership: rejected, not denied.
        await RefusedAsync(web.Client.SubmitBatchAsync(new BatchSubmit(JobActions.PowerCycle, [mine.HardwareName, "no-such-host"])));
        await RefusedAsync(Server.Client(robotToken.Token).SubmitJobAsync(theirs.HardwareName, JobActions.Reboot));

        var entries = (await Server.Admin.ListAuditAsync(actor: web.Name)).Items;
        Assert.Equal([("POST /api/v1/batches", 422, "rejected"), ("POST /api/v1/batches", 422, "denied"), ("POST /api/v1/machines/{id}/jobs", 403, "denied")],
            entries.Select(e => (e.Action, e.Status, e.Outcome)));
        Assert.All(entries.Skip(1), e => Assert.Contains($"belongs to team {storageTeam} through role {storageRole}", e.Reason));
        var robots = Assert.Single((await Server.Admin.ListAuditAsync(actor: robot.Name)).Items);
        Assert.Equal(("denied", theirs.HardwareName, $"deployer (id {robotToken.Id})"), (robots.Outcome, robots.Target, robots.Token));
        Assert.Contains($"is a service account of {webTeam}", robots.Reason);
    }

    [Fact]
    public async Task A_team_member_cannot_edit_the_inventory()
    {
        var (member, _, role) = await Accounts.TeamMemberAsync(Server);
        var mine = await MachineAsync(role);
        var refused = await RefusedAsync(member.Client.UpdateMachineAsync(mine.HardwareName, new MachineUpdate(Vendor: "mine now")));
        Assert.Equal(403, refused.Status);
        Assert.Contains("needs an operator (of every site) or an admin", refused.Detail);
    }

    [Fact]
    public async Task A_mixed_batch_is_refused_whole_naming_each_host_that_is_not_the_callers_and_queues_nothing()
    {
        var (web, _, webRole) = await Accounts.TeamMemberAsync(Server);
        var (_, storageTeam, storageRole) = await Accounts.TeamMemberAsync(Server);
        var mine = await MachineAsync(webRole);
        var theirs = await MachineAsync(storageRole);
        var free = await MachineAsync();

        var refused = await RefusedAsync(web.Client.SubmitBatchAsync(new BatchSubmit(JobActions.PowerCycle, [mine.HardwareName, theirs.HardwareName, free.HardwareName])));

        Assert.Equal(422, refused.Status);
        var hosts = refused.Extensions!["hosts"].EnumerateArray().Select(h => (h.GetProperty("host").GetString(), h.GetProperty("reason").GetString()!)).ToList();
        Assert.Equal([theirs.HardwareName, free.HardwareName], hosts.Select(h => h.Item1));
        Assert.Contains($"belongs to team {storageTeam} through role {storageRole}", hosts[0].Item2);
        Assert.Contains("free pool", hosts[1].Item2);
        Assert.Empty((await Server.Admin.ListJobsAsync(new JobQuery(Machine: mine.HardwareName))).Items);

        var batch = await web.Client.SubmitBatchAsync(new BatchSubmit(JobActions.PowerCycle, [mine.HardwareName]));
        Assert.Equal(1, batch.Hosts);
    }

    [Fact]
    public async Task A_teammate_may_cancel_a_job_on_their_teams_machine_and_another_team_may_not()
    {
        var team = (await Server.Admin.CreateTeamAsync(new TeamCreate(Unique.Name("team")))).Name;
        var role = (await Server.Admin.CreateRoleAsync(new RoleCreate(Unique.Name("role"), team))).Name;
        var first = await Accounts.CreateAsync(Server, false, team);
        var teammate = await Accounts.CreateAsync(Server, false, team);
        var (stranger, _, _) = await Accounts.TeamMemberAsync(Server);
        var job = await first.Client.SubmitJobAsync((await MachineAsync(role)).HardwareName, JobActions.PowerOn);

        var refused = await RefusedAsync(stranger.Client.CancelJobAsync(job.Id));
        Assert.Equal(403, refused.Status);
        Assert.Contains($"(team {team})", refused.Detail);
        Assert.Equal(JobStatus.Cancelled, (await teammate.Client.CancelJobAsync(job.Id)).Status);
    }

    [Fact]
    public async Task A_member_removed_from_the_team_loses_its_machines_on_the_next_request_and_regains_them_when_added()
    {
        var (member, team, role) = await Accounts.TeamMemberAsync(Server);
        var machine = await MachineAsync(role);
        Assert.Equal(JobStatus.Queued, (await member.Client.SubmitJobAsync(machine.HardwareName, JobActions.PowerOn)).Status);

        await Server.Admin.RemoveTeamMemberAsync(team, member.Name);
        var refused = await RefusedAsync(member.Client.SubmitJobAsync(machine.HardwareName, JobActions.PowerOff));
        Assert.Equal(403, refused.Status);
        Assert.Contains($"'{member.Name}' is in no team", refused.Detail);
        Assert.Equal(404, (await RefusedAsync(Server.Admin.RemoveTeamMemberAsync(team, member.Name))).Status);

        Assert.Equal([team], (await Server.Admin.AddTeamMemberAsync(team, member.Name)).Teams);
        Assert.Equal(JobStatus.Queued, (await member.Client.SubmitJobAsync(machine.HardwareName, JobActions.PowerOff)).Status);
        Assert.Equal(403, (await RefusedAsync(member.Client.AddTeamMemberAsync(team, member.Name))).Status);
    }

    [Fact]
    public async Task The_machine_search_filters_by_owner_me_a_team_or_the_free_pool()
    {
        var (member, team, role) = await Accounts.TeamMemberAsync(Server);
        var mine = await MachineAsync(role);
        var (_, _, otherRole) = await Accounts.TeamMemberAsync(Server);
        var other = await MachineAsync(otherRole);
        var free = await MachineAsync();

        Assert.Equal([mine.Id], (await member.Client.SearchMachinesAsync(new MachineQuery(Owner: "me"))).Items.Select(m => m.Id));
        Assert.Equal([mine.Id], (await Server.Admin.SearchMachinesAsync(new MachineQuery(Owner: $"team:{team}"))).Items.Select(m => m.Id));
        var pool = (await Server.Admin.SearchMachinesAsync(new MachineQuery(Owner: "pool", Limit: 1000, Count: true))).Items.Select(m => m.Id).ToList();
        Assert.Contains(free.Id, pool);
        Assert.DoesNotContain(other.Id, pool);
        Assert.Equal(team, (await member.Client.GetMachineAsync(mine.HardwareName)).Team);
        var bad = await RefusedAsync(Server.Admin.SearchMachinesAsync(new MachineQuery(Owner: "everyone")));
        Assert.Contains("use me, team:NAME or pool", Assert.Single(bad.Errors!["owner"]));
    }

    [Fact]
    public async Task A_refusal_is_audited_with_the_actor_the_token_the_target_and_the_reason()
    {
        var (web, _, _) = await Accounts.TeamMemberAsync(Server);
        var (_, storageTeam, storageRole) = await Accounts.TeamMemberAsync(Server);
        var theirs = await MachineAsync(storageRole);
        await RefusedAsync(web.Client.SubmitJobAsync(theirs.HardwareName, JobActions.PowerCycle));

        var entry = Assert.Single((await Server.Admin.ListAuditAsync(actor: web.Name)).Items);
        Assert.Equal(("POST /api/v1/machines/{id}/jobs", theirs.HardwareName, 403, "denied"), (entry.Action, entry.Target, entry.Status, entry.Outcome));
        Assert.StartsWith("test (id ", entry.Token);
        Assert.Contains($"belongs to team {storageTeam} through role {storageRole}", entry.Reason);
    }

    [Fact]
    public async Task An_operator_limited_to_a_site_acts_on_its_machines_only_and_not_on_the_catalog()
    {
        var (lon, ash) = (Unique.Name("lon"), Unique.Name("ash"));
        foreach (var site in new[] { lon, ash }) await Server.Admin.CreateSiteAsync(new SiteCreate(site));
        var user = await Server.Admin.CreateUserAsync(new UserCreate(Unique.Name("siteop"), Grant: "operator", Sites: [lon]));
        Assert.Equal([lon], user.Sites);
        var op = Server.Client((await Server.Admin.CreateTokenAsync(new TokenCreate("t", user.Name))).Token);
        async Task<MachineView> InAsync(string site) => await Server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial(), Site: site,
            Bmc: new BmcInput("ipmi", "127.0.9.9", 623, "admin", "password")));
        var here = await InAsync(lon);
        var there = await InAsync(ash);

        Assert.Equal(JobStatus.Queued, (await op.SubmitJobAsync(here.HardwareName, JobActions.PowerOn)).Status);
        var refused = await RefusedAsync(op.SubmitJobAsync(there.HardwareName, JobActions.PowerOn));
        Assert.Equal(403, refused.Status);
        Assert.Contains($"operates the machines of {lon} only; machine {there.HardwareName} is in {ash}", refused.Detail);
        var batch = await RefusedAsync(op.SubmitBatchAsync(new BatchSubmit(JobActions.PowerOn, [here.HardwareName, there.HardwareName])));
        Assert.Equal([there.HardwareName], batch.Extensions!["hosts"].EnumerateArray().Select(h => h.GetProperty("host").GetString()));
        Assert.Equal(403, (await RefusedAsync(op.CreateSiteAsync(new SiteCreate(Unique.Name("more"))))).Status);

        var notOperator = await RefusedAsync(Server.Admin.CreateUserAsync(new UserCreate(Unique.Name("u"), Sites: [lon])));
        Assert.Contains("only an operator is limited to sites", Assert.Single(notOperator.Errors!["sites"]));
        var unknown = await RefusedAsync(Server.Admin.CreateUserAsync(new UserCreate(Unique.Name("u"), Grant: "operator", Sites: ["no-such-site"])));
        Assert.Contains("no site 'no-such-site' exists", Assert.Single(unknown.Errors!["sites[0]"]));
    }

    [Fact]
    public async Task An_unknown_grant_is_422_naming_the_choices()
    {
        var refused = await RefusedAsync(Server.Admin.CreateUserAsync(new UserCreate(Unique.Name("u"), Grant: "root")));
        Assert.Equal(422, refused.Status);
        Assert.Contains("operator, viewer", Assert.Single(refused.Errors!["grant"]));
    }
}
