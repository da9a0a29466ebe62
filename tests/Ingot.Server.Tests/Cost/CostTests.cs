using System.Text.Json;
using Dapper;
using Ingot.Client;
using Ingot.Server.Cost;
using Ingot.Server.Data;
using Ingot.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Ingot.Server.Tests.Cost;

/// <summary>Issue 13's cost on a history built by hand on a server whose clock the test moves, against figures computed
/// by hand: which hours count (held: allocated, installing, in use), whose they are, the window's clipping, the SKU's
/// price, the waste report and the weekly summary event.</summary>
public sealed class CostTests : IAsyncLifetime
{
    // A Monday, 00:00 UTC: ISO week 2031-W19 begins.
    private static readonly DateTimeOffset T0 = new(2031, 5, 5, 0, 0, 0, TimeSpan.Zero);
    private readonly ManualClock clock = new(T0);
    private TestServer server = null!;
    private IngotClient Admin => server.Admin;

    public async Task InitializeAsync()
    {
        server = await TestServer.StartAsync(clock: clock);
        await Admin.CreateSiteAsync(new SiteCreate("lon1"));
        await Admin.CreateSkuAsync(new SkuCreate("big", 64, 512, 4, 1920, 2, HourlyPrice: 2.50m));
        await Admin.CreateSkuAsync(new SkuCreate("small", 8, 32, 1, 100, 1, HourlyPrice: 0.40m));
        await Admin.CreateSkuAsync(new SkuCreate("free", 8, 32, 1, 100, 1));
        foreach (var (team, role) in new[] { ("storage", "db"), ("web", "frontend") })
        {
            await Admin.CreateTeamAsync(new TeamCreate(team));
            await Admin.CreateRoleAsync(new RoleCreate(role, team));
        }
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    private async Task<string> MachineAsync(string sku, string? role)
    {
        var m = await Admin.CreateMachineAsync(new MachineCreate(Unique.Serial(), Site: "lon1", Sku: sku, Bmc: new BmcInput("ipmi", "127.0.9.9", 623, "admin", "password")));
        await Admin.TransitionAsync(m.HardwareName, "commission");
        if (role is not null) await Admin.UpdateMachineAsync(m.HardwareName, new MachineUpdate(Role: role, Hostname: Unique.Name(role) + ".example"));
        return m.HardwareName;
    }

    /// <summary>Moves the clock to <paramref name="hours"/> after T0, then applies the triggers.</summary>
    private async Task AtAsync(double hours, string? machine = null, params string[] triggers)
    {
        clock.Advance(T0.AddHours(hours) - clock.GetUtcNow());
        foreach (var trigger in triggers) await Admin.TransitionAsync(machine!, trigger);
    }

    /// <summary>A: big (2.50/h), db, held hours 0–12 (then recycled). B: small (0.40/h), frontend, held from hour 6 on.
    /// C: free (no price), db, held from hour 10 on. D: big, no role, broken: never held.</summary>
    private async Task<(string A, string B, string C)> HistoryAsync()
    {
        var (a, b, c, d) = (await MachineAsync("big", "db"), await MachineAsync("small", "frontend"), await MachineAsync("free", "db"), await MachineAsync("big", null));
        await AtAsync(0, a, "allocate");
        await AtAsync(0, d, "fail");
        await AtAsync(1, a, "install");
        await AtAsync(2, a, "finish_install");
        await AtAsync(6, b, "allocate", "install", "finish_install");
        await AtAsync(10, c, "allocate", "install", "finish_install");
        await AtAsync(12, a, "recycle");
        await AtAsync(13, a, "finish_recycle");
        return (a, b, c);
    }

    [Fact]
    public async Task Machine_hours_and_cost_by_team_and_role_match_the_hand_computed_figures()
    {
        await HistoryAsync();
        await AtAsync(30);

        var all = await Admin.GetCostAsync();
        Assert.Equal((T0.AddHours(30).AddDays(-30), T0.AddHours(30), "USD"), (all.Since, all.Until, all.Currency));
        // storage: A 12 h × 2.50 = 30.00, C 20 h × nothing; web: B 24 h × 0.40 = 9.60.
        Assert.Equal([("storage", 32.0, 30.00m), ("web", 24.0, 9.60m)], all.Teams.Select(t => (t.Team!, t.MachineHours, t.Cost)));
        Assert.Equal(
            [("storage", "db", "big", 12.0, 30.00m), ("web", "frontend", "small", 24.0, 9.60m), ("storage", "db", "free", 20.0, 0m)],
            all.Lines.Select(l => (l.Team!, l.Role!, l.Sku, l.MachineHours, l.Cost)));
        Assert.Equal((56.0, 39.60m), (all.MachineHours, all.Cost));
        Assert.Equal(["free"], all.UnpricedSkus);

        // A window clips: hours 4–20 hold A 8 h (20.00), B 14 h (5.60), C 10 h.
        var window = await Admin.GetCostAsync(new CostQuery(Since: T0.AddHours(4), Until: T0.AddHours(20)));
        Assert.Equal([("db", "big", 8.0, 20.00m), ("frontend", "small", 14.0, 5.60m), ("db", "free", 10.0, 0m)],
            window.Lines.Select(l => (l.Role!, l.Sku, l.MachineHours, l.Cost)));
        var web = await Admin.GetCostAsync(new CostQuery(Team: "web", Since: T0.AddHours(4), Until: T0.AddHours(20)));
        Assert.Equal(("web", 14.0, 5.60m), (Assert.Single(web.Teams).Team!, web.MachineHours, web.Cost));

        // A price change counts on every report from then on: prices are the SKU's now (docs/cost.md).
        await Admin.UpdateSkuAsync("small", new SkuCreate(null, null, null, null, null, null, HourlyPrice: 1m));
        Assert.Equal(24m, (await Admin.GetCostAsync(new CostQuery(Team: "web"))).Cost);
    }

    [Fact]
    public async Task The_waste_report_lists_held_machines_without_a_job_for_the_idle_days_and_a_bad_query_names_its_field()
    {
        var (_, b, _) = await HistoryAsync();
        await AtAsync(30);

        Assert.Empty((await Admin.GetWasteAsync()).Machines); // 14 days by default: everything moved within them
        var waste = await Admin.GetWasteAsync(new WasteQuery(IdleDays: 1));
        var line = Assert.Single(waste.Machines); // B, idle since hour 6; C moved at hour 10, 20 hours ago
        Assert.Equal((b, "no job or state change for 1 days, and in no pool", T0.AddHours(6), 24.0, 9.60m),
            (line.HardwareName, line.Reason, line.IdleSince, line.IdleHours, line.Wasted));
        Assert.Equal((0.40m, 9.60m), (waste.HourlyWaste, waste.Wasted));
        Assert.Empty((await Admin.GetWasteAsync(new WasteQuery(Team: "storage", IdleDays: 1))).Machines);

        var bad = await Assert.ThrowsAsync<IngotApiException>(() => Admin.GetCostAsync(new CostQuery(Since: T0, Until: T0)));
        Assert.Equal(422, bad.Problem.Status);
        Assert.Contains("must be before until", Assert.Single(bad.Problem.Errors!["since"]));
        var unknown = await Assert.ThrowsAsync<IngotApiException>(() => Admin.GetWasteAsync(new WasteQuery(Team: "nobody")));
        Assert.Equal("no team is named 'nobody'.", Assert.Single(unknown.Problem.Errors!["team"]));
        var price = await Assert.ThrowsAsync<IngotApiException>(() => Admin.CreateSkuAsync(new SkuCreate("neg", 8, 32, 1, 100, 1, HourlyPrice: -1m)));
        Assert.Contains("hourly_price", price.Problem.Errors!.Keys);
    }

    [Fact]
    public async Task Once_a_week_has_ended_each_team_that_held_machines_gets_one_summary_event()
    {
        await HistoryAsync();
        // The next Monday, 01:00: week 19 has ended. A held 12 h (30.00); B from hour 6 to the week's end, 162 h (64.80);
        // C from hour 10, 158 h, unpriced.
        await AtAsync(7 * 24 + 1);
        var summaries = server.Services.GetRequiredService<CostSummaries>();
        await summaries.RunOnceAsync(CancellationToken.None);
        Assert.Equal(0, await summaries.RunOnceAsync(CancellationToken.None)); // once only, however often it runs

        await using var c = await server.Services.GetRequiredService<Database>().OpenAsync(CancellationToken.None);
        var events = (await c.QueryAsync<(string Subject, string Data)>("SELECT subject, data FROM events WHERE type = @type ORDER BY subject",
            new { type = CostSummaries.EventType })).ToList();
        Assert.Equal(["team:storage", "team:web"], events.Select(e => e.Subject));
        using var storage = JsonDocument.Parse(events[0].Data);
        using var web = JsonDocument.Parse(events[1].Data);
        Assert.Equal(("2031-W19", 170.0, 30.00m), (storage.RootElement.GetProperty("week").GetString(), storage.RootElement.GetProperty("machine_hours").GetDouble(),
            storage.RootElement.GetProperty("cost").GetDecimal()));
        Assert.Equal((162.0, 64.80m), (web.RootElement.GetProperty("machine_hours").GetDouble(), web.RootElement.GetProperty("cost").GetDecimal()));
    }
}
