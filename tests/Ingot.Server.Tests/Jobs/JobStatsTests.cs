using System.Text.Json;
using Ingot.Client;
using Ingot.Server.Data;
using Microsoft.Extensions.DependencyInjection;
using Ingot.Server.Jobs;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.Jobs;

/// <summary>GET /api/v1/jobs/stats: single jobs by action, site and SKU, computed by the database's histograms.</summary>
[Collection(BrokerCollection.Name)]
public sealed class JobStatsTests(BrokerFixture broker)
{
    [Fact]
    public async Task SingleJobs_OfASite_AreCounted_WithRatesDurationsAndSteps()
    {
        var admin = broker.Server.Admin;
        var site = Unique.Name("stats");
        await admin.CreateSiteAsync(new SiteCreate(site));
        var (a, _) = await broker.MachineAsync(site);
        var (b, _) = await broker.MachineAsync(site);
        var (bad, badBmc) = await broker.MachineAsync(site);
        await broker.RunAsync(a, JobActions.PowerOn);
        await broker.RunAsync(b, JobActions.PowerOn);
        badBmc.Faults = new Simulator.BmcFaults { IgnorePowerCommands = true };
        try { Assert.Equal(JobStatus.Failed, (await broker.RunAsync(bad, JobActions.PowerOff)).Status); }
        finally { badBmc.Faults = Simulator.BmcFaults.None; }

        var stats = await admin.GetJobStatsAsync(since: DateTimeOffset.UtcNow.AddHours(-1), source: "single", site: site, steps: true);
        var on = Assert.Single(stats.Groups, g => g.Action == "power_on");
        Assert.Equal((site, 2L, 2L, 0L, 1.0), (on.Site, on.Jobs, on.Succeeded, on.Failed, on.SuccessRate));
        Assert.True(on.Runtime!.P50 > 0 && on.Runtime.P50 <= on.Runtime.P95 && on.Runtime.P95 <= on.Runtime.Max);
        Assert.NotNull(on.QueueLag);
        var off = Assert.Single(stats.Groups, g => g.Action == "power_off");
        Assert.Equal((1L, 0L, 1L, 0.0), (off.Jobs, off.Succeeded, off.Failed, off.SuccessRate));
        Assert.Contains(stats.Steps, s => s.Action == "power_on" && s.Runs >= 2 && s.Duration is not null);
        Assert.Empty((await admin.GetJobStatsAsync(since: DateTimeOffset.UtcNow.AddHours(-1), source: "batch", site: site)).Groups);
    }

    /// <summary>Whole hours are read from the rollup the trigger keeps as jobs end; a window without one, from the jobs
    /// themselves. Both must say the same of the same jobs.</summary>
    [Fact]
    public async Task TheRollupOfWholeHours_SaysWhatTheJobsThemselvesSay()
    {
        var admin = broker.Server.Admin;
        var site = Unique.Name("rollup");
        await admin.CreateSiteAsync(new SiteCreate(site));
        var (a, _) = await broker.MachineAsync(site);
        var (bad, badBmc) = await broker.MachineAsync(site);
        await broker.RunAsync(a, JobActions.PowerOn);
        await broker.RunAsync(a, JobActions.PowerCycle);
        badBmc.Faults = new Simulator.BmcFaults { IgnorePowerCommands = true };
        try { Assert.Equal(JobStatus.Failed, (await broker.RunAsync(bad, JobActions.PowerOff)).Status); }
        finally { badBmc.Faults = Simulator.BmcFaults.None; }

        // Noted at their ending, not folded yet: the whole hours' jobs are read from the jobs themselves.
        var now = DateTimeOffset.UtcNow;
        var fromJobs = await admin.GetJobStatsAsync(since: now.AddMinutes(-50), until: now.AddMinutes(1), site: site, steps: true);
        var wide = await admin.GetJobStatsAsync(since: now.AddHours(-3), until: now.AddHours(2), site: site, steps: true);
        Assert.Equal(3, wide.Groups.Sum(g => g.Jobs));
        Assert.Equal(JsonSerializer.Serialize(fromJobs.Groups), JsonSerializer.Serialize(wide.Groups));

        // Folded (as the server does every few seconds): the same figures from the rollups' rows.
        var rollup = broker.Server.Services.GetRequiredService<JobStatsRollup>();
        while (await rollup.FoldOnceAsync(CancellationToken.None) > 0) { }
        await using (var c = await broker.Server.Services.GetRequiredService<Database>().OpenAsync(CancellationToken.None))
        {
            Assert.Equal(0, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM job_stats_pending"));
            Assert.Equal(3, await c.ExecuteScalarAsync<long>(
                "SELECT SUM(count) FROM job_stats WHERE site_id = (SELECT id FROM sites WHERE name = @site)", new { site }));
        }
        var fromRollup = await admin.GetJobStatsAsync(since: now.AddHours(-3), until: now.AddHours(2), site: site, steps: true);
        Assert.Equal(JsonSerializer.Serialize(fromJobs.Groups), JsonSerializer.Serialize(fromRollup.Groups));
        Assert.Equal(JsonSerializer.Serialize(fromJobs.Steps), JsonSerializer.Serialize(fromRollup.Steps));
        Assert.Equal(1, Assert.Single(fromRollup.Groups, g => g.Action == "power_off").Failed);
    }

    [Fact]
    public async Task BadWindowsAndFilters_AreRefusedByName()
    {
        using var http = broker.Server.Http(broker.Server.AdminToken);
        var problem = await (await http.GetAsync("api/v1/jobs/stats?since=2026-12-02T00:00Z&until=2026-12-01T00:00Z&source=some&action=dance"))
            .ProblemAsync(System.Net.HttpStatusCode.UnprocessableEntity);
        Assert.True(problem.Errors!.ContainsKey("since") && problem.Errors.ContainsKey("source") && problem.Errors.ContainsKey("action"));
        Assert.Equal(422, (await Assert.ThrowsAsync<IngotApiException>(() => broker.Server.Admin.GetJobStatsAsync(site: "no-such-site"))).Problem.Status);
    }

    [Fact]
    public void Percentiles_AreReadOffTheBuckets_NeverPastTheMax()
    {
        // 100 values: 50 in (0.5, 1], 45 in (1, 2], 5 in (5, 7.5]; max 6.
        var counts = new Dictionary<int, long> { [Array.IndexOf(JobStatsQuery.Bounds, 1)] = 50, [Array.IndexOf(JobStatsQuery.Bounds, 2)] = 45,
            [Array.IndexOf(JobStatsQuery.Bounds, 7.5)] = 5 };
        var p = JobStatsQuery.FromHistogram(counts, 6)!;
        Assert.Equal(1.0, p.P50, 3);
        Assert.Equal(2.0, p.P95, 3);
        Assert.Equal(6, p.Max);
        Assert.Null(JobStatsQuery.FromHistogram(new Dictionary<int, long>(), null));
    }
}
