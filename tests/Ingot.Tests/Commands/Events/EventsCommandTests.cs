using Ingot.Client;
using Ingot.Tests.Commands.Jobs;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Events;

/// <summary>ingot events (the list, and --follow on the live stream) and ingot subscriptions.</summary>
public sealed class EventsCommandTests(JobServerFixture fixture) : IClassFixture<JobServerFixture>
{
    [Fact]
    public async Task Events_ListsAMachinesJob_InSentences()
    {
        var (machine, _) = await fixture.MachineAsync();
        var job = await fixture.Server.Admin.SubmitJobAsync(machine.HardwareName, JobActions.PowerOn);
        await fixture.Server.Admin.WaitForJobAsync(job.Id, TimeSpan.FromMilliseconds(50));
        using var cli = CliRunner.For(fixture.Server);
        // On PostgreSQL the list shows an event once every older transaction has ended (EventLog: commit order), and
        // transaction ids are the cluster's: another test's open transaction, in another database, holds it back a moment.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        var lines = Lines.Of((await cli.OkAsync("events", "--machine", machine.HardwareName, "--type", "job.*")).Out);
        while (lines.Length < 5 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            lines = Lines.Of((await cli.OkAsync("events", "--machine", machine.HardwareName, "--type", "job.*")).Out);
        }
        Assert.Equal(5, lines.Length); // queued, started, its one step running and succeeded, succeeded
        Assert.Contains("job.queued", lines[0]);
        Assert.Contains($"Job {job.Id} (power_on) step power_on running", lines[2]);
        Assert.EndsWith($"Job {job.Id} (power_on) on {machine.HardwareName} succeeded", lines[4]);
        var bad = await cli.FailsAsync(1, "events", "--type", "job.exploded");
        Assert.Contains("job.exploded", bad.Error);
    }

    [Fact]
    public async Task Follow_PrintsWhatHappensNext_UntilInterrupted()
    {
        var (machine, _) = await fixture.MachineAsync();
        using var cli = CliRunner.For(fixture.Server);
        using var stop = new CancellationTokenSource();
        var following = cli.RunAsync(stop.Token, "events", "--follow", "--machine", machine.HardwareName, "--type", "job.succeeded", "-o", "json");
        await Task.Delay(500);
        var job = await fixture.Server.Admin.SubmitJobAsync(machine.HardwareName, JobActions.PowerOff);
        await fixture.Server.Admin.WaitForJobAsync(job.Id, TimeSpan.FromMilliseconds(50));
        await Task.Delay(500);
        await stop.CancelAsync();
        var result = await following;
        var line = Assert.Single(Lines.Of(result.Out));
        Assert.Equal(job.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), System.Text.Json.JsonDocument.Parse(line).RootElement
            .GetProperty("data").GetProperty("job_id").GetRawText());
    }

    [Fact]
    public async Task Subscriptions_CreateShowsTheSecretOnce_ListAndDelete()
    {
        using var cli = CliRunner.For(fixture.Server);
        var created = await cli.OkAsync("subscriptions", "create", "ci-hook", "--webhook", "http://127.0.0.1:9/hook", "--types", "job.failed,batch.*", "--mine");
        Assert.Contains("whsec_", created.Out);
        Assert.Contains("shown only now", created.Error);
        var id = Lines.Of(created.Out).First(l => l.StartsWith("id:", StringComparison.Ordinal)).Split(':')[1].Trim();
        var list = await cli.OkAsync("subscriptions", "list");
        Assert.Contains("job.failed,batch.*", Lines.Row(list.Out, id)[4]);
        Assert.DoesNotContain("whsec_", (await cli.OkAsync("subscriptions", "show", id)).Out);
        Assert.Matches(@"enabled:\s+no \(paused\)", (await cli.OkAsync("subscriptions", "disable", id)).Out);
        Assert.Matches(@"enabled:\s+yes", (await cli.OkAsync("subscriptions", "enable", id)).Out);
        await cli.OkAsync("subscriptions", "delete", id);
        await cli.FailsAsync(1, "subscriptions", "show", id);
        await cli.FailsAsync(2, "subscriptions", "create", "x", "--webhook", "http://a", "--chat", "http://b");
    }
}
