using System.Diagnostics;
using System.Text.Json;
using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Ingot.Server.Tests.Jobs;

/// <summary>A server whose in-use hooks time out after half a second, and a system of hooks beside it on loopback.</summary>
public sealed class InUseHookFixture : IAsyncLifetime
{
    public TestServer Server { get; private set; } = null!;
    public InUseHookServer Hooks { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await TestServer.StartAsync(configure: s => s with { HookTimeout = TimeSpan.FromSeconds(0.5) });
        Hooks = await InUseHookServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Hooks.DisposeAsync();
    }
}

/// <summary>Issue 12: the "in use elsewhere" hook of a role or a site (docs/authorization.md) is asked over real HTTP
/// before a destructive action; what it names is refused with its reason, and a hook that does not answer refuses too,
/// unless it fails open.</summary>
public sealed class InUseHookTests(InUseHookFixture fixture) : IClassFixture<InUseHookFixture>
{
    private TestServer Server => fixture.Server;
    private InUseHookServer Hooks => fixture.Hooks;

    private async Task<string> RoleAsync(string? hook = null, bool failOpen = false)
    {
        var team = (await Server.Admin.CreateTeamAsync(new TeamCreate(Unique.Name("team")))).Name;
        return (await Server.Admin.CreateRoleAsync(new RoleCreate(Unique.Name("role"), team, InUseHook: hook, InUseHookFailOpen: failOpen))).Name;
    }

    /// <summary>An available machine of the role (and site), with a BMC: one that takes wipe_disks.</summary>
    private async Task<MachineView> MachineAsync(string role, string? site = null)
    {
        var m = await Server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial(), Site: site, Role: role, Hostname: $"{Unique.Name("db")}.lon1",
            Bmc: new BmcInput("ipmi", "127.0.9.9", 623, "admin", "password")));
        return await Server.Admin.TransitionAsync(m.HardwareName, "commission");
    }

    private static async Task<Problem> RefusedAsync(Task task) => (await Assert.ThrowsAsync<IngotApiException>(() => task)).Problem;

    private static List<(string Host, string Reason)> Hosts(Problem problem) =>
        [.. problem.Extensions!["hosts"].EnumerateArray().Select(h => (h.GetProperty("host").GetString()!, h.GetProperty("reason").GetString()!))];

    private async Task<int> JobCountAsync(MachineView m) => (await Server.Admin.ListJobsAsync(new JobQuery(Machine: m.HardwareName))).Items.Count;

    private static string Path(string url) => new Uri(url).AbsolutePath.TrimStart('/');

    [Fact]
    public async Task A_wipe_of_a_machine_the_roles_hook_says_is_in_use_is_refused_with_the_hooks_reason_and_the_hook_is_told_the_machine()
    {
        var site = (await Server.Admin.CreateSiteAsync(new SiteCreate(Unique.Name("site")))).Name;
        var hook = Hooks.InUse(Unique.Name("cmdb"));
        var role = await RoleAsync(hook);
        var m = await MachineAsync(role, site);
        Hooks.InUse(Path(hook), (m.Hostname!, "primary of shard 7"));

        var refused = await RefusedAsync(Server.Admin.SubmitJobAsync(m.Hostname!, JobActions.WipeDisks));

        Assert.Equal(409, refused.Status);
        Assert.EndsWith("/in-use-elsewhere", refused.Type);
        Assert.Equal($"Machine {m.Hostname} is in use elsewhere, says the in-use hook of role {role}: primary of shard 7. Nothing was queued.", refused.Detail);
        Assert.Equal(0, await JobCountAsync(m));
        // The audit keeps the refusal with the hook's reason, on the machine it was for.
        var audited = (await Server.Admin.ListAuditAsync(actor: "admin", limit: 1000)).Items.First(e => e.Target == m.Hostname);
        Assert.Equal((409, "rejected", refused.Detail), (audited.Status, audited.Outcome, audited.Reason));
        var asked = Assert.Single(Hooks.RequestsTo(Path(hook))).RootElement;
        Assert.Equal("wipe_disks", asked.GetProperty("action").GetString());
        var machine = Assert.Single(asked.GetProperty("machines").EnumerateArray());
        Assert.Equal((m.HardwareName, m.Hostname, m.Serial, site, role),
            (machine.GetProperty("hardware_name").GetString(), machine.GetProperty("hostname").GetString(), machine.GetProperty("serial").GetString(),
             machine.GetProperty("site").GetString(), machine.GetProperty("role").GetString()));
    }

    [Fact]
    public async Task A_batch_lists_every_host_a_role_or_site_hook_names_asking_each_hook_once_and_queues_nothing()
    {
        var (hookA, hookB) = (Hooks.InUse(Unique.Name("a")), Hooks.InUse(Unique.Name("b")));
        var (a, b) = (await RoleAsync(hookA), await RoleAsync(hookB));
        var siteHook = Hooks.InUse(Unique.Name("site"));
        var site = (await Server.Admin.CreateSiteAsync(new SiteCreate(Unique.Name("site"), InUseHook: siteHook))).Name;
        var (a1, a2, b1) = (await MachineAsync(a), await MachineAsync(a), await MachineAsync(b, site));
        Hooks.InUse(Path(hookA), (a1.Serial, "leader of etcd"));          // by serial
        Hooks.InUse(Path(siteHook), (b1.HardwareName, "rack move"));      // by hardware_name

        var refused = await RefusedAsync(Server.Admin.SubmitBatchAsync(new BatchSubmit(JobActions.WipeDisks, [a1.Hostname!, a2.Hostname!, b1.Hostname!])));

        Assert.Equal(422, refused.Status);
        Assert.Equal(
            [(a1.Hostname!, $"is in use elsewhere, says the in-use hook of role {a}: leader of etcd"),
             (b1.Hostname!, $"is in use elsewhere, says the in-use hook of site {site}: rack move")],
            Hosts(refused));
        Assert.Equal(0, await JobCountAsync(a2));
        // One POST per hook, with every host it covers.
        Assert.Equal(2, Assert.Single(Hooks.RequestsTo(Path(hookA))).RootElement.GetProperty("machines").GetArrayLength());
        Assert.Single(Hooks.RequestsTo(Path(hookB)));
        Assert.Single(Hooks.RequestsTo(Path(siteHook)));
    }

    [Fact]
    public async Task A_hook_that_says_nothing_is_in_use_lets_the_job_and_the_batch_through()
    {
        var role = await RoleAsync(Hooks.Answer(Unique.Name("yes"), (_, _) => Task.FromResult(Results.Json(new { in_use = Array.Empty<object>() }))));
        var site = (await Server.Admin.CreateSiteAsync(new SiteCreate(Unique.Name("site"),
            InUseHook: Hooks.Answer(Unique.Name("empty"), (_, _) => Task.FromResult(Results.Json(new { })))))).Name;
        var (one, two) = (await MachineAsync(role, site), await MachineAsync(role, site));

        Assert.Equal(JobStatus.Queued, (await Server.Admin.SubmitJobAsync(one.Hostname!, JobActions.WipeDisks)).Status);
        Assert.Equal(1, (await Server.Admin.SubmitBatchAsync(new BatchSubmit(JobActions.WipeDisks, [two.Hostname!]))).Hosts);
    }

    [Fact]
    public async Task A_hook_that_does_not_answer_in_time_refuses_the_job_until_its_role_fails_open()
    {
        var role = await RoleAsync(Hooks.Silent(Unique.Name("slow")));
        var m = await MachineAsync(role);

        var clock = Stopwatch.StartNew();
        var refused = await RefusedAsync(Server.Admin.SubmitJobAsync(m.Hostname!, JobActions.WipeDisks));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the refusal took {clock.Elapsed}");
        Assert.Equal(409, refused.Status);
        Assert.EndsWith("/in-use-hook-unanswered", refused.Type);
        Assert.Contains($"was not checked: the in-use hook of role {role} did not answer: no answer within 0.5 s (INGOT_HOOKS_TIMEOUT_SECONDS)", refused.Detail);
        Assert.Equal(0, await JobCountAsync(m));

        Assert.True((await Server.Admin.UpdateRoleAsync(role, new RoleCreate(null, null, InUseHookFailOpen: true))).InUseHookFailOpen);
        Assert.Equal(JobStatus.Queued, (await Server.Admin.SubmitJobAsync(m.Hostname!, JobActions.WipeDisks)).Status);
    }

    [Fact]
    public async Task A_hook_that_is_down_answers_an_error_or_answers_nonsense_refuses_the_batch_until_it_fails_open()
    {
        var site = (await Server.Admin.CreateSiteAsync(new SiteCreate(Unique.Name("site"), InUseHook: InUseHookServer.Down()))).Name;
        var failing = await RoleAsync(Hooks.Answer(Unique.Name("500"), (_, _) => Task.FromResult(Results.StatusCode(500))));
        var nonsense = await RoleAsync(Hooks.Answer(Unique.Name("text"), (_, _) => Task.FromResult(Results.Text("yes"))));
        var (down, error, text) = (await MachineAsync(await RoleAsync(), site), await MachineAsync(failing), await MachineAsync(nonsense));
        var hosts = new[] { down.Hostname!, error.Hostname!, text.Hostname! };

        var refused = Hosts(await RefusedAsync(Server.Admin.SubmitBatchAsync(new BatchSubmit(JobActions.WipeDisks, hosts))));

        Assert.Equal(hosts, refused.Select(r => r.Host));
        Assert.Contains($"the in-use hook of site {site} did not answer: Connection refused", refused[0].Reason);
        Assert.Contains($"the in-use hook of role {failing} did not answer: it answered HTTP 500 InternalServerError", refused[1].Reason);
        Assert.Contains($"the in-use hook of role {nonsense} did not answer: its answer is not {{\"in_use\"", refused[2].Reason);
        Assert.Equal(0, await JobCountAsync(error));

        await Server.Admin.UpdateSiteAsync(site, new SiteCreate(null, InUseHookFailOpen: true));
        await Server.Admin.UpdateRoleAsync(failing, new RoleCreate(null, null, InUseHookFailOpen: true));
        await Server.Admin.UpdateRoleAsync(nonsense, new RoleCreate(null, null, InUseHookFailOpen: true));
        Assert.Equal(3, (await Server.Admin.SubmitBatchAsync(new BatchSubmit(JobActions.WipeDisks, hosts))).Hosts);
    }

    [Fact]
    public async Task Actions_that_erase_nothing_never_ask_the_hook()
    {
        var hook = Hooks.InUse(Unique.Name("cmdb"));
        var m = await MachineAsync(await RoleAsync(hook));
        Hooks.InUse(Path(hook), (m.Hostname!, "in use"));

        Assert.Equal(JobStatus.Queued, (await Server.Admin.SubmitJobAsync(m.Hostname!, JobActions.PowerCycle)).Status);
        Assert.Equal(1, (await Server.Admin.SubmitBatchAsync(new BatchSubmit(JobActions.PowerCycle, [m.Hostname!]))).Hosts);
        Assert.Empty(Hooks.RequestsTo(Path(hook)));
    }

    [Fact]
    public async Task Roles_and_sites_show_their_hook_refuse_one_that_is_not_an_http_url_and_clear_it_with_an_empty_string()
    {
        var team = (await Server.Admin.CreateTeamAsync(new TeamCreate(Unique.Name("team")))).Name;
        var bad = await RefusedAsync(Server.Admin.CreateRoleAsync(new RoleCreate(Unique.Name("role"), team, InUseHook: "ftp://cmdb.example/in-use")));
        Assert.Equal(422, bad.Status);
        Assert.Contains("'ftp://cmdb.example/in-use' is not an http:// or https:// URL", Assert.Single(bad.Errors!["in_use_hook"]));
        Assert.Equal(422, (await RefusedAsync(Server.Admin.CreateSiteAsync(new SiteCreate(Unique.Name("site"), InUseHook: "cmdb")))).Status);

        var site = await Server.Admin.CreateSiteAsync(new SiteCreate(Unique.Name("site"), InUseHook: "https://cmdb.example/in-use"));
        Assert.Equal(("https://cmdb.example/in-use", false), (site.InUseHook, site.InUseHookFailOpen));
        var changed = await Server.Admin.UpdateSiteAsync(site.Name, new SiteCreate(null, "kept hook", InUseHookFailOpen: true));
        Assert.Equal(("https://cmdb.example/in-use", true), (changed.InUseHook, changed.InUseHookFailOpen));
        Assert.Null((await Server.Admin.UpdateSiteAsync(site.Name, new SiteCreate(null, InUseHook: ""))).InUseHook);

        var role = await Server.Admin.CreateRoleAsync(new RoleCreate(Unique.Name("role"), team, InUseHook: "http://cmdb.example/r", InUseHookFailOpen: true));
        Assert.Equal(("http://cmdb.example/r", true), ((await Server.Admin.ListRolesAsync()).Single(r => r.Name == role.Name).InUseHook, role.InUseHookFailOpen));
        Assert.Null((await Server.Admin.UpdateRoleAsync(role.Name, new RoleCreate(null, null, InUseHook: ""))).InUseHook);
    }
}
