using Ingot.Client;
using Ingot.Server.Hosting;
using Ingot.Server.Jobs;

namespace Ingot.Server.Tests.Jobs;

/// <summary>A fleet server whose BMC watch sweeps every 200 ms, flat out, and whose open circuits close again after
/// 300 ms: 127.0.43.x.</summary>
public sealed class BmcWatchFleet() : SimulatedFleetServer("127.0.43.1", 6)
{
    protected override JobOptions Jobs => FastJobs with { BreakerOpen = new Backoff(TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(300), 0) };

    protected override ServerSettings Configure(ServerSettings settings) => settings with
    {
        // Flat out: this is about what a sweep finds; its pacing is the benchmark's (bench/run.sh bmc-sweep).
        BmcWatch = settings.BmcWatch with { Interval = TimeSpan.FromMilliseconds(200), Spread = TimeSpan.Zero },
    };
}

/// <summary>The watch finds a BMC that stopped answering between jobs, says so (health, history, event, search) and sees
/// it recover.</summary>
public sealed class BmcWatchTests(BmcWatchFleet fleet) : IClassFixture<BmcWatchFleet>
{
    [Fact]
    public async Task ABmcThatStopsAnswering_IsFoundUnreachable_ThenRecovered_WithoutAnyJob()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var admin = fleet.Server.Admin;
        var (machine, bmc) = await fleet.MachineAsync();
        var (healthy, _) = await fleet.MachineAsync();
        bmc.Faults = new Simulator.BmcFaults { Unreachable = true };
        while ((await admin.GetMachineAsync(machine.HardwareName, timeout.Token)).Bmc?.Health?.Status != BmcHealthStatus.Unreachable)
            await Task.Delay(50, timeout.Token);
        var unreachable = await admin.SearchMachinesAsync(new MachineQuery(BmcHealth: "unreachable"), timeout.Token);
        Assert.Contains(unreachable.Items, m => m.Id == machine.Id);
        Assert.DoesNotContain(unreachable.Items, m => m.Id == healthy.Id);
        Assert.Contains((await admin.SearchMachinesAsync(new MachineQuery(BmcHealth: "ok"), timeout.Token)).Items, m => m.Id == healthy.Id);

        bmc.Faults = Simulator.BmcFaults.None;
        while ((await admin.GetMachineAsync(machine.HardwareName, timeout.Token)).Bmc?.Health?.Status != BmcHealthStatus.Ok)
            await Task.Delay(50, timeout.Token);
        var history = await admin.GetBmcHealthAsync(machine.HardwareName, timeout.Token);
        Assert.Equal([BmcHealthStatus.Ok, BmcHealthStatus.Unreachable], history.Take(2).Select(h => h.Status));
        var events = (await admin.ListEventsAsync(new EventQuery(Types: "bmc.health_changed", Machine: machine.Id), timeout.Token)).Items;
        Assert.Equal([("ok", "unreachable"), ("unreachable", "ok")],
            events.Select(e => (e.Data.GetProperty("from").GetString(), e.Data.GetProperty("to").GetString())));
        Assert.Empty((await admin.ListJobsAsync(new JobQuery(Machine: machine.HardwareName), timeout.Token)).Items); // the watch, not a job
    }

    [Fact]
    public async Task BadHealthFilter_IsRefused()
    {
        var e = await Assert.ThrowsAsync<IngotApiException>(() => fleet.Server.Admin.SearchMachinesAsync(new MachineQuery(BmcHealth: "wobbly")));
        Assert.Contains("wobbly", e.Problem.Errors!["bmc_health"][0]);
    }
}
