using Dapper;
using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Ingot.Server.Tests.Batches;

/// <summary>Stats over a job history written by hand, against values worked out by hand.</summary>
public sealed class BatchStatsTests : IAsyncLifetime
{
    private TestServer server = null!;

    public async Task InitializeAsync() => server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task Stats_OnAConstructedHistory_EqualTheHandComputedValues()
    {
        var hosts = new List<string>();
        for (var i = 0; i < 4; i++)
            hosts.Add((await server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial(), Bmc: new BmcInput("ipmi", "127.0.9.9")))).HardwareName);
        var batch = await server.Admin.SubmitBatchAsync(new BatchSubmit(JobActions.PowerOn, hosts));
        var jobs = (await server.Admin.GetBatchHostsAsync(batch.Id)).Items.Select(h => h.JobId).Order().ToArray();
        var t = new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
        var db = server.Services.GetRequiredService<Database>();
        await using (var c = await db.OpenAsync(CancellationToken.None))
        {
            await c.ExecuteAsync("UPDATE batches SET created_at = @t WHERE id = @id", new { t = DapperSetup.Stored(c, t), id = batch.Id });
            // Runtimes 10 s and 30 s (succeeded) and 20 s (failed); the fourth job is still queued.
            foreach (var (job, status, start, seconds) in new[] { (jobs[0], "succeeded", 10, 10), (jobs[1], "succeeded", 15, 30), (jobs[2], "failed", 12, 20) })
            {
                var args = new { job, status, s = DapperSetup.Stored(c, t.AddSeconds(start)), e = DapperSetup.Stored(c, t.AddSeconds(start + seconds)) };
                await c.ExecuteAsync("UPDATE jobs SET status = @status, started_at = @s, ended_at = @e WHERE id = @job", args);
                if (status == "succeeded")
                    await c.ExecuteAsync(
                        "INSERT INTO job_steps (job_id, position, name, status, attempt, started_at, ended_at) VALUES (@job, 0, 'power_on', 'succeeded', 1, @s, @e)", args);
            }
        }
        var stats = Assert.Single((await server.Admin.GetBatchStatsAsync(t.AddMinutes(-1))).Actions);
        Assert.Equal((JobActions.PowerOn, 4L, 3L), (stats.Action, stats.Jobs, stats.Ended));
        Assert.Equal(2.0 / 3, stats.SuccessRate, 6);
        Assert.Equal(new Percentiles(20, 30, 30), stats.RuntimeSeconds);
        Assert.Equal(new Percentiles(10, 10, 10), stats.QueueLagSeconds); // accepted at t, first job started at t + 10 s
        var step = Assert.Single(stats.Steps);
        Assert.Equal(("power_on", 2L, new Percentiles(10, 30, 30)), (step.Step, step.Count, step.Seconds));
        Assert.Equal(2.0 / 3, Assert.Single(stats.Skus).SuccessRate, 6);
        Assert.Empty((await server.Admin.GetBatchStatsAsync(t.AddMinutes(1))).Actions); // the window excludes the batch

        var activity = Assert.Single(await server.Admin.GetActivityAsync());
        Assert.Equal((null, JobActions.PowerOn, 1L, 0L), (activity.Site, activity.Action, activity.Queued, activity.Running));
    }
}
