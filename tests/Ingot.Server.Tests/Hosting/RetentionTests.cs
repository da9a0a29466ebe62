using System.Net;
using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Hosting;
using Ingot.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Ingot.Server.Tests.Hosting;

/// <summary>A server whose clock the tests move, so rows can grow old without waiting; its own pruning passes are a day
/// apart, and the tests run passes themselves. Batches of 10 rows, so a prune of more takes several.</summary>
public sealed class RetentionFixture : IAsyncLifetime
{
    public ManualClock Time { get; } = new(DateTimeOffset.UtcNow);

    public TestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await TestServer.StartAsync(clock: Time,
        configure: s => s with { Retention = new RetentionOptions { Interval = TimeSpan.FromDays(1), BatchRows = 10 } });

    public async Task DisposeAsync() => await Server.DisposeAsync();

    public Task<RetentionPass> PruneAsync() => Server.Services.GetRequiredService<Retention>().RunOnceAsync(CancellationToken.None);

    public async Task<T> QueryAsync<T>(string sql, object args)
    {
        await using var c = await Server.Services.GetRequiredService<Database>().OpenAsync(CancellationToken.None);
        return await c.QuerySingleAsync<T>(sql, args);
    }

    public async Task ExecuteAsync(string sql, object args)
    {
        await using var c = await Server.Services.GetRequiredService<Database>().OpenAsync(CancellationToken.None);
        await c.ExecuteAsync(sql, args);
    }
}

/// <summary>Issue 11 B.4: boot tokens (one per unknown-MAC request), job events and audit records were never deleted.
/// Each is kept for its retention period (INGOT_RETENTION_*), then pruned; rows still in use stay.</summary>
public sealed class RetentionTests(RetentionFixture fixture) : IClassFixture<RetentionFixture>
{
    private TestServer Server => fixture.Server;

    private Task<long> TokensOfAsync(string mac) => fixture.QueryAsync<long>("SELECT COUNT(*) FROM boot_tokens WHERE mac = @mac", new { mac });

    [Fact]
    public async Task Boot_tokens_go_a_day_after_they_expired_and_newer_ones_stay()
    {
        // 25 requests of one unknown MAC leave 25 tokens (the discovery image's deadline is an hour).
        var (old, recent, live) = (Unique.Mac(), Unique.Mac(), Unique.Mac());
        await DiscoveryImage.BootAsync(Server, old, count: 25);
        fixture.Time.Advance(TimeSpan.FromHours(24));
        await DiscoveryImage.BootAsync(Server, recent);
        fixture.Time.Advance(TimeSpan.FromHours(2));
        var token = Assert.Single(await DiscoveryImage.BootAsync(Server, live));

        var pass = await fixture.PruneAsync();

        // Expired 25 hours ago: gone, over three batches; expired an hour ago: kept for a day; still valid: kept.
        Assert.Equal(25, pass.BootTokens);
        Assert.Equal((0L, 1L, 1L), (await TokensOfAsync(old), await TokensOfAsync(recent), await TokensOfAsync(live)));
        var report = new DiscoveryReport(Unique.Serial(), CpuCores: 8, MemoryGb: 32, Nics: [new NicInput(live, "eth0")]);
        Assert.Equal(HttpStatusCode.Created, (await DiscoveryImage.PostAsync(Server, report, token)).StatusCode);
    }

    [Fact]
    public async Task Events_of_jobs_that_ended_long_ago_go_and_those_of_recent_and_running_jobs_stay()
    {
        var now = fixture.Time.GetUtcNow();
        var (longEnded, recentlyEnded, running) = (await JobAsync(), await JobAsync(), await JobAsync());
        await EndAsync(longEnded, now.AddDays(-91));
        await EndAsync(recentlyEnded, now.AddDays(-89));
        await fixture.ExecuteAsync("UPDATE jobs SET status = 'running', started_at = @at WHERE id = @id", new { id = running, at = now.AddDays(-200) });
        foreach (var job in new[] { longEnded, recentlyEnded, running })
            for (var i = 0; i < 12; i++)
                await fixture.ExecuteAsync(
                    "INSERT INTO job_events (job_id, attempt, event, step, percent, at) VALUES (@job, 1, 'progress', 'partitioning', @i, @at)",
                    new { job, i, at = now.AddDays(-120) });

        var pass = await fixture.PruneAsync();

        Assert.Equal(12, pass.JobEvents);
        Assert.Null((await Server.Admin.GetJobAsync(longEnded)).Events);
        Assert.Equal(12, (await Server.Admin.GetJobAsync(recentlyEnded)).Events!.Count);
        Assert.Equal(12, (await Server.Admin.GetJobAsync(running)).Events!.Count);
    }

    [Fact]
    public async Task Audit_records_older_than_a_year_go_and_newer_ones_stay()
    {
        await Server.Admin.CreateSiteAsync(new SiteCreate(Unique.Name("old")));
        var then = fixture.Time.GetUtcNow();
        fixture.Time.Advance(TimeSpan.FromDays(366));
        await Server.Admin.CreateSiteAsync(new SiteCreate(Unique.Name("recent")));

        var pass = await fixture.PruneAsync();

        Assert.True(pass.AuditRecords >= 1, $"{pass}");
        var entries = (await Server.Admin.ListAuditAsync(limit: 1000)).Items;
        Assert.DoesNotContain(entries, e => e.At <= then);
        Assert.Contains(entries, e => e.At > then.AddDays(365) && e.Action == "POST /api/v1/sites");
    }

    [Fact]
    public async Task Old_events_delivery_attempts_and_bmc_health_changes_go_and_recent_ones_stay()
    {
        var now = fixture.Time.GetUtcNow();
        var machine = await Server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial(), Nics: [new NicInput(Unique.Mac(), "eth0")]));
        var subscription = await Server.Admin.CreateSubscriptionAsync(new SubscriptionCreate(Unique.Name("s"), "webhook", "https://hooks.example/x", ["ticket.opened"]));
        var subject = $"machine:{machine.Id}";
        foreach (var (days, n) in new[] { (91, 15), (89, 2) })
            for (var i = 0; i < n; i++)
            {
                var at = now.AddDays(-days);
                await fixture.ExecuteAsync("INSERT INTO events (type, version, subject, data, at, machine_id) VALUES ('bmc.health_changed', 1, @subject, '{}', @at, @id)",
                    new { subject, at, id = machine.Id });
                await fixture.ExecuteAsync("INSERT INTO bmc_health_history (machine_id, status, error, at) VALUES (@id, 'unreachable', 'gone', @at)",
                    new { id = machine.Id, at });
                await fixture.ExecuteAsync(
                    "INSERT INTO deliveries (subscription_id, event_id, attempt, outcome, status_code, error, duration_ms, at) VALUES (@s, 1, 1, 'dead', 500, 'no', 3, @at)",
                    new { s = subscription.Id, at = now.AddDays(days == 91 ? -31 : -29) });
            }

        var pass = await fixture.PruneAsync();

        // At least these (the class's other tests move the shared clock, so their own rows may be old too).
        Assert.True(pass.Events >= 15 && pass.Deliveries >= 15 && pass.BmcHealth >= 15, $"{pass}");
        Assert.Equal(2, await fixture.QueryAsync<long>("SELECT COUNT(*) FROM events WHERE subject = @subject", new { subject }));
        Assert.Equal(2, await fixture.QueryAsync<long>("SELECT COUNT(*) FROM bmc_health_history WHERE machine_id = @id", new { id = machine.Id }));
        Assert.Equal(2, (await Server.Admin.ListDeliveriesAsync(subscription.Id)).Items.Count);
    }

    /// <summary>A queued power_on job of a machine of its own (the workers do not run here).</summary>
    private async Task<long> JobAsync()
    {
        var machine = await Server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial(), Nics: [new NicInput(Unique.Mac(), "eth0")],
            Bmc: new BmcInput("sim", "127.0.0.1", 623, "admin", "password")));
        return (await Server.Admin.SubmitJobAsync(machine.HardwareName, JobActions.PowerOn, new Dictionary<string, System.Text.Json.JsonElement>())).Id;
    }

    private Task EndAsync(long job, DateTimeOffset at) =>
        fixture.ExecuteAsync("UPDATE jobs SET status = 'succeeded', started_at = @at, ended_at = @at WHERE id = @job", new { job, at });
}

/// <summary>Nobody has to call the pruning: every node runs it each interval.</summary>
public sealed class RetentionScheduleTests
{
    [Fact]
    public async Task The_server_prunes_by_itself_every_interval()
    {
        var time = new ManualClock(DateTimeOffset.UtcNow);
        await using var server = await TestServer.StartAsync(clock: time,
            configure: s => s with { Retention = new RetentionOptions { Interval = TimeSpan.FromSeconds(1), AuditDays = 1 } });
        await server.Admin.CreateSiteAsync(new SiteCreate(Unique.Name("old")));
        Assert.NotEmpty((await server.Admin.ListAuditAsync()).Items);
        time.Advance(TimeSpan.FromDays(2));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        while ((await server.Admin.ListAuditAsync(limit: 1000)).Items.Count > 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), "the audit record of two days ago is still there after 15 s of 1 s intervals");
            await Task.Delay(100);
        }
    }
}
