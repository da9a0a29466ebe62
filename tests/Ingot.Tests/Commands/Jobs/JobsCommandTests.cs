using System.Globalization;
using Ingot.Bmc;
using Ingot.Client;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Jobs;

/// <summary>jobs list, show, cancel, watch and broker, on jobs the broker really ran against simulated BMCs.</summary>
public sealed class JobsCommandTests(JobServerFixture fixture) : IClassFixture<JobServerFixture>
{
    /// <summary>A power_cycle job on a machine of its own, run to its end.</summary>
    private async Task<(MachineView Machine, JobView Job)> FinishedJobAsync()
    {
        var (machine, _) = await fixture.MachineAsync();
        var job = await fixture.Server.Admin.SubmitJobAsync(machine.HardwareName, JobActions.PowerCycle);
        return (machine, await fixture.Server.Admin.WaitForJobAsync(job.Id, TimeSpan.FromMilliseconds(50)));
    }

    private static string Id(JobView job) => job.Id.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task List_prints_the_job_with_its_host_status_and_attempts()
    {
        var (machine, job) = await FinishedJobAsync();
        using var cli = CliRunner.For(fixture.Server);

        var result = await cli.OkAsync("jobs", "list", "--machine", machine.HardwareName);

        Assert.Equal(["ID", "ACTION", "HOST", "STATUS", "ATTEMPT", "STEP", "QUEUE", "CREATED"], Lines.Cells(Lines.Of(result.Out)[0]));
        var row = Lines.Row(result.Out, Id(job));
        Assert.Equal(["power_cycle", machine.HardwareName, "succeeded", "1/2", "-", "-"], row[1..7]);
    }

    [Fact]
    public async Task List_filters_and_json_output_parse()
    {
        var (machine, job) = await FinishedJobAsync();
        using var cli = CliRunner.For(fixture.Server);

        var page = (await cli.OkAsync("jobs", "list", "--machine", machine.HardwareName, "--status", "succeeded",
            "--action", "power_cycle", "--user", "admin", "--since", "1h", "-o", "json")).Json<Page<JobView>>();
        Assert.Equal(job.Id, Assert.Single(page.Items).Id);

        var none = (await cli.OkAsync("jobs", "list", "--machine", machine.HardwareName, "--status", "failed", "-o", "json")).Json<Page<JobView>>();
        Assert.Empty(none.Items);
    }

    [Fact]
    public async Task List_refuses_a_since_that_is_neither_a_time_nor_an_age()
    {
        using var cli = CliRunner.For(fixture.Server);
        var result = await cli.FailsAsync(2, "jobs", "list", "--since", "yesterday");
        Assert.StartsWith("error: --since 'yesterday' is neither a time", result.Error);
    }

    [Fact]
    public async Task Show_prints_every_field_and_the_steps()
    {
        var (machine, job) = await FinishedJobAsync();
        using var cli = CliRunner.For(fixture.Server);

        var result = await cli.OkAsync("jobs", "show", Id(job));

        Assert.Contains($"action:", result.Out);
        Assert.Matches(@"status:\s+succeeded", result.Out);
        Assert.Matches($@"machine:\s+{machine.HardwareName} \(id {machine.Id}\)", result.Out);
        Assert.Matches(@"result:\s+\{""power_state"":""on""\}", result.Out);
        Assert.Equal(["STEP", "STATUS", "ATTEMPT", "STARTED", "DURATION", "MESSAGE"], Lines.Cells(Lines.Of(result.Out).Single(l => l.StartsWith("STEP", StringComparison.Ordinal))));
        var off = Lines.Row(result.Out, "power_off");
        Assert.Equal(["succeeded", "1"], off[1..3]);
        Assert.Contains("powered off; the BMC reports off", Lines.Of(result.Out).Single(l => l.StartsWith("power_off", StringComparison.Ordinal)));
        Assert.Equal("succeeded", Lines.Row(result.Out, "power_on")[1]);

        var json = (await cli.OkAsync("jobs", "show", Id(job), "-o", "json")).Json<JobView>();
        Assert.Equal(["power_off", "power_on"], json.Steps.Select(s => s.Name));
    }

    [Fact]
    public async Task Show_of_an_unknown_job_is_the_servers_404()
    {
        using var cli = CliRunner.For(fixture.Server);
        var result = await cli.FailsAsync(1, "jobs", "show", "987654321");
        Assert.StartsWith("error: Not found (404):", result.Error);
    }

    [Fact]
    public async Task Cancel_of_a_finished_job_reports_the_servers_409()
    {
        var (_, job) = await FinishedJobAsync();
        using var cli = CliRunner.For(fixture.Server);

        var result = await cli.FailsAsync(1, "jobs", "cancel", Id(job));

        Assert.StartsWith($"error: job {job.Id}: Conflict (409): Job {job.Id} has already ended (succeeded)", result.Error);
    }

    [Fact]
    public async Task Watch_of_a_finished_job_prints_its_steps_and_a_summary()
    {
        var (machine, job) = await FinishedJobAsync();
        using var cli = CliRunner.For(fixture.Server);

        var result = await cli.OkAsync("jobs", "watch", Id(job));

        var prefix = $"job {job.Id} (power_cycle on {machine.HardwareName}): ";
        var lines = Lines.Of(result.Out);
        Assert.Equal(prefix + "step power_off succeeded: powered off; the BMC reports off", lines[0]);
        Assert.StartsWith(prefix + "step power_on succeeded: ", lines[1]);
        Assert.Equal(prefix + "succeeded", lines[2]);
        Assert.Equal("1 succeeded, 0 failed, 0 cancelled", lines[3]);
        Assert.Equal(["JOB", "HOST", "ACTION", "STATUS", "ATTEMPT", "DURATION"], Lines.Cells(lines[4]));
        Assert.Equal([Id(job), machine.HardwareName, "power_cycle", "succeeded", "1/2"], Lines.Cells(lines[5])[..5]);
        Assert.Equal("", result.Error);
    }

    [Fact]
    public async Task Watch_follows_a_running_job_to_its_end_line_by_line()
    {
        var (machine, bmc) = await fixture.MachineAsync();
        var job = await fixture.Server.Admin.SubmitJobAsync(machine.HardwareName, JobActions.PowerCycle);
        using var cli = CliRunner.For(fixture.Server);

        var result = await cli.OkAsync("jobs", "watch", Id(job), "-o", "json");

        Assert.Equal(JobStatus.Succeeded, Assert.Single(result.Json<List<JobView>>()).Status);
        Assert.Equal(PowerState.On, bmc.Power);
    }

    [Fact]
    public async Task Watch_of_a_failed_job_exits_1_with_its_error()
    {
        var (machine, bmc) = await fixture.MachineAsync();
        bmc.Faults = new Simulator.BmcFaults { WrongCredentials = true };
        var job = await fixture.Server.Admin.SubmitJobAsync(machine.HardwareName, JobActions.PowerOff);
        using var cli = CliRunner.For(fixture.Server);

        var result = await cli.RunAsync("jobs", "watch", Id(job));

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"job {job.Id} (power_off on {machine.HardwareName}): failed: ", result.Out);
        Assert.Contains("0 succeeded, 1 failed, 0 cancelled", result.Out);
        Assert.StartsWith($"error: job {job.Id} (power_off on {machine.HardwareName}) failed: ", result.Error);
    }

    [Fact]
    public async Task Broker_prints_the_limits_and_json_parses()
    {
        using var cli = CliRunner.For(fixture.Server);

        var table = await cli.OkAsync("jobs", "broker");
        Assert.Matches(@"per-site limit:\s+200", table.Out);
        Assert.Matches(@"max attempts:\s+2", table.Out);

        var status = (await cli.OkAsync("jobs", "broker", "-o", "json")).Json<BrokerStatus>();
        Assert.Equal(2, status.MaxAttempts);
        Assert.Equal(200, status.PerSiteLimit);
    }

    [Fact]
    public async Task Jobs_help_lists_every_verb_and_root_help_the_new_nouns()
    {
        using var cli = new CliRunner();
        var jobs = await cli.OkAsync("jobs", "--help");
        foreach (var verb in new[] { "list", "show <id>", "watch <id>", "cancel <id>", "broker" })
            Assert.Contains(Environment.NewLine + "  " + verb + " ", jobs.Out);
        var root = await cli.OkAsync("--help");
        foreach (var noun in new[] { "power", "reboot <host>", "boot-device <host>", "jobs" })
            Assert.Contains(Environment.NewLine + "  " + noun + " ", root.Out);
    }
}
