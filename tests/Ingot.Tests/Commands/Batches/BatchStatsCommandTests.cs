using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Batches;

/// <summary>batch stats and activity against a server of this class's own: both report on the whole fleet, so a
/// server shared with the other batch tests would make their counts depend on what those tests ran.</summary>
public sealed class BatchStatsCommandTests(BatchServerFixture fixture) : IClassFixture<BatchServerFixture>
{
    private IngotClient Admin => fixture.Server.Admin;

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>The output's parts, as a reader sees them: blocks separated by a blank line, each as rows of cells.</summary>
    private static string[][][] Sections(string text) =>
        Regex.Split(text.Replace("\r", ""), @"\n[ \t]*\n").Select(Lines.Of).Where(l => l.Length > 0).Select(l => l.Select(Lines.Cells).ToArray()).ToArray();

    private static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            await Task.Delay(50, timeout.Token);
        }
    }

    private Task<BatchView> EndedAsync(long id) => UntilAsync(() => Admin.GetBatchAsync(id), b => b.Status is
        BatchStatus.Succeeded or BatchStatus.CompletedWithErrors or BatchStatus.Failed or BatchStatus.Cancelled);

    [Fact]
    public async Task Stats_after_a_batch_ran_show_its_action_skus_and_steps_and_json_parses()
    {
        var hosts = new List<string>();
        for (var i = 0; i < 2; i++) hosts.Add((await fixture.MachineAsync()).Machine.HardwareName);
        var batch = await EndedAsync((await Admin.SubmitBatchAsync(new BatchSubmit(JobActions.PowerCycle, hosts))).Id);
        Assert.Equal(BatchStatus.Succeeded, batch.Status);
        using var cli = CliRunner.For(fixture.Server);

        var result = await cli.OkAsync("batch", "stats", "--since", "1h");

        var sections = Sections(result.Out);
        Assert.Equal(4, sections.Length); // since, per action, per SKU, per step
        Assert.Equal("since:", sections[0][0][0]);
        Assert.Equal(["ACTION", "JOBS", "ENDED", "SUCCESS", "RUN-P50", "RUN-P95", "RUN-MAX", "LAG-P50", "LAG-P95", "LAG-MAX"], sections[1][0]);
        var action = Assert.Single(sections[1][1..], r => r[0] == "power_cycle");
        Assert.Equal(["2", "2", "100%"], action[1..4]);
        Assert.All(action[4..], cell => Assert.Matches(@"^\d+(\.\d)?s$|^\d+m\d\ds$", cell)); // measured durations, not '-'
        Assert.Equal(["ACTION", "SKU", "JOBS", "SUCCESS"], sections[2][0]);
        Assert.Equal(["power_cycle", "-", "2", "100%"], Assert.Single(sections[2][1..], r => r[0] == "power_cycle"));
        Assert.Equal(["ACTION", "STEP", "COUNT", "P50", "P95", "MAX"], sections[3][0]);
        var steps = sections[3][1..].Where(r => r[0] == "power_cycle").ToList();
        Assert.Equal(["power_off", "power_on"], steps.Select(r => r[1]));
        Assert.All(steps, r => Assert.Equal("2", r[2]));
        Assert.Equal("", result.Error);

        var json = (await cli.OkAsync("batch", "stats", "-o", "json")).Json<BatchStats>(); // the server's default window: a day
        var stats = Assert.Single(json.Actions, a => a.Action == JobActions.PowerCycle);
        Assert.Equal((2L, 2L, 1.0), (stats.Jobs, stats.Ended, stats.SuccessRate));
    }

    [Fact]
    public async Task Stats_since_a_future_time_say_there_are_no_batches()
    {
        var (machine, _) = await fixture.MachineAsync();
        await EndedAsync((await Admin.SubmitBatchAsync(new BatchSubmit(JobActions.PowerOff, [machine.HardwareName]))).Id);
        var tomorrow = DateTimeOffset.UtcNow.AddDays(1);
        var since = tomorrow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        using var cli = CliRunner.For(fixture.Server);

        var result = await cli.OkAsync("batch", "stats", "--since", since);

        Assert.Equal($"no batches since {tomorrow:yyyy-MM-dd HH:mm:ss}Z", result.Out.Trim());
        Assert.Empty((await cli.OkAsync("batch", "stats", "--since", since, "-o", "json")).Json<BatchStats>().Actions);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("-2h")]
    [InlineData("7 days")]
    public async Task Stats_refuse_a_since_that_is_neither_a_time_nor_an_age(string since)
    {
        using var cli = CliRunner.For(fixture.Server);
        var result = await cli.FailsAsync(2, "batch", "stats", "--since", since);
        Assert.StartsWith($"error: --since '{since}' is neither a time", result.Error);
    }

    [Fact]
    public async Task Activity_shows_a_batch_queued_behind_a_running_job_per_site_and_action_then_nothing()
    {
        var site = (await Admin.CreateSiteAsync(new SiteCreate(Unique.Name("site")))).Name;
        var (machine, _) = await fixture.MachineAsync(site);
        foreach (var trigger in new[] { "commission", "allocate", "install", "finish_install" })
            await Admin.TransitionAsync(machine.HardwareName, trigger);
        var image = await Admin.CreateImageAsync(new ImageCreate(Unique.Name("debian"), ImageKind.Install, "http://images.example/vmlinuz",
            "http://images.example/initrd.img"));
        // No machine here network-boots, so the reimage runs until cancelled, waiting for its installer; a machine runs
        // one job at a time, so the batch's job on it stays queued meanwhile.
        var reimage = await Admin.SubmitJobAsync(machine.HardwareName, JobActions.Reimage,
            new Dictionary<string, JsonElement> { ["image"] = JsonSerializer.SerializeToElement(image.Name) }, force: true);
        await UntilAsync(() => Admin.GetJobAsync(reimage.Id), j => j.Status == JobStatus.Running);
        var batch = await Admin.SubmitBatchAsync(new BatchSubmit(JobActions.PowerOn, [machine.HardwareName]));
        using var cli = CliRunner.For(fixture.Server);
        try
        {
            var result = await cli.OkAsync("activity");

            Assert.Equal(["SITE", "ACTION", "QUEUED", "RUNNING"], Lines.Cells(Lines.Of(result.Out)[0]));
            var rows = Lines.Of(result.Out).Select(Lines.Cells).Where(r => r[0] == site).ToList();
            Assert.Equal([[site, "power_on", "1", "0"], [site, "reimage", "0", "1"]], rows);
            var json = (await cli.OkAsync("activity", "-o", "json")).Json<List<ActivityRow>>();
            Assert.Contains(new ActivityRow(site, JobActions.PowerOn, 1, 0), json);
        }
        finally
        {
            await cli.OkAsync("batch", "cancel", Id(batch.Id));
            await cli.OkAsync("jobs", "cancel", Id(reimage.Id));
        }

        await EndedAsync(batch.Id);
        await UntilAsync(() => Admin.GetJobAsync(reimage.Id), j => j.Status == JobStatus.Cancelled);
        Assert.Equal("no jobs queued or running", (await cli.OkAsync("activity")).Out.Trim());
    }
}
