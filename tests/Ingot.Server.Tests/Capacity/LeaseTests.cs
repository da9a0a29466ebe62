using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Ingot.Server.Tests.Capacity;

/// <summary>Issue 13's leases on a server whose clock the test moves (the reconciler ticks in real time, its "now" is the
/// test's): a reminder event a day before the end, the end moved, the expiry that gives the machines back, each event
/// once. No workers: the installs and recycles stay queued, which is all the lease decides.</summary>
public sealed class LeaseTests : IAsyncLifetime
{
    private readonly ManualClock clock = new(new DateTimeOffset(2031, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private TestServer server = null!;

    public async Task InitializeAsync() => server = await TestServer.StartAsync(clock: clock,
        configure: s => s with { Requests = s.Requests with { Interval = TimeSpan.FromMilliseconds(50) } });

    public async Task DisposeAsync() => await server.DisposeAsync();

    /// <summary>The request's lease events (its status events are beside them).</summary>
    private async Task<List<(string Type, string Subject)>> EventsAsync(long request)
    {
        await using var c = await server.Services.GetRequiredService<Database>().OpenAsync(CancellationToken.None);
        return [.. await c.QueryAsync<(string, string)>("SELECT type, subject FROM events WHERE subject = @subject AND type LIKE 'request.lease%' ORDER BY id", new { subject = $"request:{request}" })];
    }

    private static async Task UntilAsync(Func<Task<bool>> done)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!await done()) await Task.Delay(50, timeout.Token);
    }

    [Fact]
    public async Task A_lease_reminds_once_can_be_extended_and_at_its_end_gives_the_machines_back_once()
    {
        var admin = server.Admin;
        var site = (await admin.CreateSiteAsync(new SiteCreate("lon1"))).Name;
        var sku = (await admin.CreateSkuAsync(new SkuCreate("high-io", 8, 32, 1, 100, 1))).Name;
        await admin.CreateTeamAsync(new TeamCreate("storage"));
        await admin.CreateRoleAsync(new RoleCreate("fancydb", "storage"));
        await admin.CreateImageAsync(new ImageCreate("debian-12", ImageKind.Install, "http://images.invalid/k", "http://images.invalid/i"));
        await admin.CreateImageAsync(new ImageCreate("wipe", ImageKind.Wipe, "http://images.invalid/wk", "http://images.invalid/wi"));
        for (var i = 0; i < 2; i++)
        {
            var m = await admin.CreateMachineAsync(new MachineCreate(Unique.Serial(), Site: site, Sku: sku, Bmc: new BmcInput("ipmi", "127.0.9.9", 623, "admin", "password")));
            await admin.TransitionAsync(m.HardwareName, "commission");
        }
        var request = await admin.CreateRequestAsync(new RequestCreate("fancydb", site, sku, 2, "debian-12", ExpiresAt: clock.GetUtcNow().AddDays(2)));
        Assert.Equal(2, request.Installing);

        // A day and an hour later the end is 23 hours away: inside the 24-hour reminder.
        clock.Advance(TimeSpan.FromHours(25));
        await UntilAsync(async () => (await EventsAsync(request.Id)).Count > 0);
        await Task.Delay(300); // more ticks: still one reminder
        Assert.Equal([("request.lease_expiring", $"request:{request.Id}")], await EventsAsync(request.Id));

        var extended = await admin.ExtendLeaseAsync(request.Id, clock.GetUtcNow().AddDays(3));
        Assert.Equal(clock.GetUtcNow().AddDays(3), extended.ExpiresAt);
        Assert.Equal(RequestStatus.Installing, extended.Status);

        clock.Advance(TimeSpan.FromDays(4));
        await UntilAsync(async () => (await admin.GetRequestAsync(request.Id)).Status == RequestStatus.Expired);
        await Task.Delay(300);
        Assert.Equal(["request.lease_expiring", "request.lease_expired"], (await EventsAsync(request.Id)).Select(e => e.Type));
        var expired = await admin.GetRequestAsync(request.Id);
        Assert.All(expired.Machines, m => Assert.Equal(("releasing", "the request's lease expired"), (m.Status, m.Reason)));
        // Their installs were cancelled; the recycles that give them back come once the installs have ended.
        foreach (var line in expired.Machines)
        {
            var jobs = (await admin.ListJobsAsync(new JobQuery(Machine: line.HardwareName))).Items;
            Assert.Equal(JobStatus.Cancelled, Assert.Single(jobs, j => j.Action == JobActions.Install).Status);
            Assert.Equal(JobStatus.Queued, Assert.Single(jobs, j => j.Action == JobActions.Recycle).Status);
        }
        var ended = await Assert.ThrowsAsync<IngotApiException>(() => admin.ExtendLeaseAsync(request.Id, clock.GetUtcNow().AddDays(1)));
        Assert.Equal(409, ended.Problem.Status);
    }

    [Fact]
    public async Task A_request_that_names_no_end_takes_its_roles_default_lease_and_a_bad_default_is_422()
    {
        var admin = server.Admin;
        var site = (await admin.CreateSiteAsync(new SiteCreate("ash2"))).Name;
        var sku = (await admin.CreateSkuAsync(new SkuCreate("edge-small", 8, 32, 1, 100, 1))).Name;
        await admin.CreateTeamAsync(new TeamCreate("web"));
        var refused = await Assert.ThrowsAsync<IngotApiException>(() => admin.CreateRoleAsync(new RoleCreate("bad", "web", LeaseHours: 0)));
        Assert.True(refused.Problem.Errors!.ContainsKey("lease_hours"));
        var role = await admin.CreateRoleAsync(new RoleCreate("frontend", "web", LeaseHours: 48));
        Assert.Equal(48, role.LeaseHours);
        if ((await admin.ListImagesAsync()).All(i => i.Name != "debian-12"))
            await admin.CreateImageAsync(new ImageCreate("debian-12", ImageKind.Install, "http://images.invalid/k", "http://images.invalid/i"));

        var defaulted = await admin.CreateRequestAsync(new RequestCreate("frontend", site, sku, 1, "debian-12"));
        Assert.Equal(clock.GetUtcNow().AddHours(48), defaulted.ExpiresAt);
        var named = await admin.CreateRequestAsync(new RequestCreate("frontend", site, sku, 1, "debian-12", ExpiresAt: clock.GetUtcNow().AddHours(5)));
        Assert.Equal(clock.GetUtcNow().AddHours(5), named.ExpiresAt);
        // 0 removes the default: the next request does not expire.
        Assert.Null((await admin.UpdateRoleAsync("frontend", new RoleCreate(null, null, LeaseHours: 0))).LeaseHours);
        Assert.Null((await admin.CreateRequestAsync(new RequestCreate("frontend", site, sku, 1, "debian-12"))).ExpiresAt);
    }

    [Fact]
    public async Task A_submitter_who_left_the_roles_team_may_give_the_machines_back_but_not_keep_them_on()
    {
        var admin = server.Admin;
        var site = (await admin.CreateSiteAsync(new SiteCreate("sfo3"))).Name;
        var sku = (await admin.CreateSkuAsync(new SkuCreate("gpu-a100", 8, 32, 1, 100, 1))).Name;
        await admin.CreateTeamAsync(new TeamCreate("ml"));
        await admin.CreateRoleAsync(new RoleCreate("training", "ml"));
        if ((await admin.ListImagesAsync()).All(i => i.Name != "debian-12"))
            await admin.CreateImageAsync(new ImageCreate("debian-12", ImageKind.Install, "http://images.invalid/k", "http://images.invalid/i"));
        var bob = await SelfService.Accounts.CreateAsync(server, false, "ml");
        var request = await bob.Client.CreateRequestAsync(new RequestCreate("training", site, sku, 1, "debian-12", ExpiresAt: clock.GetUtcNow().AddDays(1)));
        Assert.NotNull((await bob.Client.ExtendLeaseAsync(request.Id, clock.GetUtcNow().AddDays(2))).ExpiresAt);

        await admin.RemoveTeamMemberAsync("ml", bob.Name);
        var refused = await Assert.ThrowsAsync<IngotApiException>(() => bob.Client.ExtendLeaseAsync(request.Id, clock.GetUtcNow().AddDays(30)));
        Assert.Equal(403, refused.Problem.Status);
        Assert.Equal(clock.GetUtcNow().AddDays(2), (await admin.GetRequestAsync(request.Id)).ExpiresAt);
        Assert.Equal(RequestStatus.Cancelled, (await bob.Client.CancelRequestAsync(request.Id)).Status);
    }

    [Fact]
    public async Task Without_a_wipe_image_machines_given_back_wait_for_one_rather_than_break()
    {
        var admin = server.Admin;
        var site = (await admin.CreateSiteAsync(new SiteCreate("ams1"))).Name;
        var sku = (await admin.CreateSkuAsync(new SkuCreate("storage-x", 8, 32, 1, 100, 1))).Name;
        await admin.CreateTeamAsync(new TeamCreate("data"));
        await admin.CreateRoleAsync(new RoleCreate("lake", "data"));
        await admin.CreateImageAsync(new ImageCreate("debian-12", ImageKind.Install, "http://images.invalid/k", "http://images.invalid/i"));
        for (var i = 0; i < 2; i++)
        {
            var m = await admin.CreateMachineAsync(new MachineCreate(Unique.Serial(), Site: site, Sku: sku, Bmc: new BmcInput("ipmi", "127.0.9.9", 623, "admin", "password")));
            await admin.TransitionAsync(m.HardwareName, "commission");
        }
        var request = await admin.CreateRequestAsync(new RequestCreate("lake", site, sku, 2, "debian-12"));

        // Cancelled with no wipe image in the catalog: a recycle would fail its wipe and leave each machine broken.
        await admin.CancelRequestAsync(request.Id);
        await UntilAsync(async () => (await admin.GetRequestAsync(request.Id)).Machines.All(m => m.Reason?.Contains("waiting for a wipe image") == true));
        var waiting = await admin.GetRequestAsync(request.Id);
        foreach (var line in waiting.Machines)
        {
            Assert.Equal("releasing", line.Status);
            Assert.StartsWith("the request was cancelled; waiting for a wipe image in the catalog", line.Reason);
            Assert.Equal(MachineState.Allocated, (await admin.GetMachineAsync(line.HardwareName)).State);
            Assert.DoesNotContain((await admin.ListJobsAsync(new JobQuery(Machine: line.HardwareName))).Items, j => j.Action == JobActions.Recycle);
        }

        // Once there is one, the next pass gives them back.
        await admin.CreateImageAsync(new ImageCreate("wipe", ImageKind.Wipe, "http://images.invalid/wk", "http://images.invalid/wi"));
        foreach (var line in waiting.Machines)
            await UntilAsync(async () => (await admin.ListJobsAsync(new JobQuery(Machine: line.HardwareName))).Items.Any(j => j.Action == JobActions.Recycle));
    }
}
