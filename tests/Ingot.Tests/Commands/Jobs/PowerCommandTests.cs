using Ingot.Bmc;
using Ingot.Client;
using Ingot.Simulator;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Jobs;

/// <summary>power, reboot and boot-device: one job per host through the server's broker, down to the simulated BMC.</summary>
public sealed class PowerCommandTests(JobServerFixture fixture) : IClassFixture<JobServerFixture>
{
    [Fact]
    public async Task Power_cycle_with_wait_succeeds_and_the_machine_boots_exactly_once()
    {
        var (machine, bmc) = await fixture.MachineAsync();
        var boots = bmc.Boots;
        using var cli = CliRunner.For(fixture.Server);

        var result = await cli.OkAsync("power", "cycle", machine.HardwareName, "--wait");

        Assert.Equal(["HOST", "JOB", "STATUS"], Lines.Cells(Lines.Of(result.Out)[0]));
        Assert.Equal("succeeded", Lines.Row(result.Out, machine.HardwareName)[2]);
        // Only progress on stderr, each line naming its job, ending with the job's success.
        var progress = Lines.Of(result.Error);
        Assert.All(progress, l => Assert.StartsWith($"job {Lines.Row(result.Out, machine.HardwareName)[1]} (power_cycle on {machine.HardwareName}): ", l));
        Assert.EndsWith(": succeeded", progress[^1]);
        Assert.Equal(boots + 1, bmc.Boots);
        Assert.Equal(PowerState.On, bmc.Power);
    }

    [Fact]
    public async Task An_unknown_host_is_the_servers_404_on_stderr_while_the_other_host_gets_its_job()
    {
        var (machine, bmc) = await fixture.MachineAsync();
        bmc.Apply(PowerAction.Off);
        using var cli = CliRunner.For(fixture.Server);

        var result = await cli.RunAsync("power", "on", "no-such-host", machine.HardwareName, "--wait");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: no-such-host: Not found (404):", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
        Assert.Equal("succeeded", Lines.Row(result.Out, machine.HardwareName)[2]);
        Assert.DoesNotContain("no-such-host", result.Out);
        Assert.Equal(PowerState.On, bmc.Power);
    }

    [Fact]
    public async Task Without_wait_the_job_is_printed_queued_or_later_and_how_to_follow_it()
    {
        var (machine, _) = await fixture.MachineAsync();
        using var cli = CliRunner.For(fixture.Server);

        var result = await cli.OkAsync("power", "off", machine.HardwareName);

        var row = Lines.Row(result.Out, machine.HardwareName);
        Assert.Contains(row[2], new[] { "queued", "running", "succeeded" });
        Assert.Equal($"follow with: ingot jobs watch {row[1]}", result.Error.Trim());
        await fixture.Server.Admin.WaitForJobAsync(long.Parse(row[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_machine_in_maintenance_is_refused_with_the_servers_409()
    {
        var (machine, _) = await fixture.MachineAsync();
        await fixture.Server.Admin.SetMaintenanceAsync(machine.HardwareName, true, "PSU swap");
        using var cli = CliRunner.For(fixture.Server);

        var result = await cli.FailsAsync(1, "power", "on", machine.HardwareName);

        Assert.StartsWith($"error: {machine.HardwareName}: Machine in maintenance (409):", result.Error);
        Assert.Contains("PSU swap", result.Error);
    }

    [Fact]
    public async Task A_job_that_fails_is_reported_with_its_error_and_exit_1()
    {
        var (machine, bmc) = await fixture.MachineAsync();
        bmc.Faults = new BmcFaults { WrongCredentials = true };
        using var cli = CliRunner.For(fixture.Server);

        var result = await cli.RunAsync("power", "off", machine.HardwareName, "--wait");

        Assert.True(result.ExitCode == 1, result.ToString());
        var row = Lines.Row(result.Out, machine.HardwareName);
        Assert.Equal("failed", row[2]);
        Assert.Contains($"{Environment.NewLine}error: job {row[1]} (power_off on {machine.HardwareName}) failed: ", Environment.NewLine + result.Error);
        Assert.Equal(PowerState.On, bmc.Power);
    }

    [Fact]
    public async Task Wait_on_a_dead_bmc_shows_each_attempt_and_when_the_next_starts_then_show_prints_the_bmcs_health()
    {
        var (machine, bmc) = await fixture.MachineAsync();
        bmc.Faults = new BmcFaults { Unreachable = true };
        using var cli = CliRunner.For(fixture.Server);

        var result = await cli.RunAsync("power", "cycle", machine.HardwareName, "--wait");

        Assert.True(result.ExitCode == 1, result.ToString());
        var job = Lines.Row(result.Out, machine.HardwareName)[1];
        var progress = Lines.Of(result.Error);
        var prefix = $"job {job} (power_cycle on {machine.HardwareName}): ";
        // As the job's events arrive, on stderr (stdout stays the final table): each attempt, why it failed, when the next starts.
        Assert.True(progress.Contains(prefix + "running, attempt 1/2"), result.Error);
        // A step's failure shows with its try within the attempt, when a poll sees it before the job goes back to the queue.
        Assert.True(progress.Any(l => l.StartsWith(prefix + "step power_off failed", StringComparison.Ordinal)), result.Error);
        // Attempt 1's failure and reason are said whether the poll saw the job queued for attempt 2 (with when it
        // starts) or only saw attempt 2 running.
        Assert.True(progress.Any(l => (l.StartsWith(prefix + "queued for attempt 2/2 after ", StringComparison.Ordinal) ||
                                       l.StartsWith(prefix + "attempt 1/2 failed, retried: ", StringComparison.Ordinal))
                                      && l.Contains("step power_off, attempt 1 of 2: ")), result.Error);
        Assert.True(progress.Contains(prefix + "running, attempt 2/2"), result.Error);
        Assert.True(progress.Any(l => l.StartsWith(prefix + "failed: step power_off, attempt 2 of 2: ", StringComparison.Ordinal)), result.Error);

        var shown = await cli.OkAsync("machines", "show", machine.HardwareName);
        var health = Assert.Single(Lines.Of(shown.Out), l => l.StartsWith("bmc health:", StringComparison.Ordinal));
        Assert.Matches(@"^bmc health:\s+(degraded|unreachable) since \S+ \S+Z, 2 failure\(s\) in a row; last error: ", health);
    }

    [Fact]
    public async Task Reboot_with_a_graceful_timeout_shuts_down_and_boots_once()
    {
        var (machine, bmc) = await fixture.MachineAsync();
        var boots = bmc.Boots;
        using var cli = CliRunner.For(fixture.Server);

        var result = await cli.OkAsync("reboot", machine.HardwareName, "--graceful-timeout", "5", "--wait");

        var id = long.Parse(Lines.Row(result.Out, machine.HardwareName)[1], System.Globalization.CultureInfo.InvariantCulture);
        var job = await fixture.Server.Admin.GetJobAsync(id);
        Assert.Equal(JobActions.Reboot, job.Action);
        Assert.Equal(5, job.Params["graceful_timeout_seconds"].GetInt32());
        Assert.Equal(["shutdown", "power_on"], job.Steps.Select(s => s.Name));
        Assert.Equal(boots + 1, bmc.Boots);
        Assert.Equal(PowerState.On, bmc.Power);
    }

    [Fact]
    public async Task Reboot_refuses_a_graceful_timeout_out_of_range_before_asking_the_server()
    {
        using var cli = CliRunner.For(fixture.Server);
        var result = await cli.RunAsync("reboot", "hw-x", "--graceful-timeout", "7200");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--graceful-timeout is from 0 to 3600 seconds.", result.Error);
    }

    [Fact]
    public async Task Boot_device_sets_the_simulated_bmcs_boot_device()
    {
        var (machine, bmc) = await fixture.MachineAsync();
        using var cli = CliRunner.For(fixture.Server);

        await cli.OkAsync("boot-device", machine.HardwareName, "--device", "pxe", "--persistent", "--wait");
        Assert.Equal(new BootSettings(BootDevice.Pxe, Persistent: true, Uefi: true), bmc.Boot);

        await cli.OkAsync("boot-device", machine.HardwareName, "--device", "disk", "--legacy", "--wait");
        Assert.Equal(new BootSettings(BootDevice.Disk, Persistent: false, Uefi: false), bmc.Boot);
    }

    [Fact]
    public async Task Boot_device_accepts_only_the_known_devices()
    {
        using var cli = CliRunner.For(fixture.Server);
        var result = await cli.RunAsync("boot-device", "hw-x", "--device", "floppy");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("floppy", result.Error);
    }

    [Fact]
    public async Task Json_output_is_the_jobs_as_the_api_returns_them()
    {
        var (machine, bmc) = await fixture.MachineAsync();
        using var cli = CliRunner.For(fixture.Server);

        var submitted = (await cli.OkAsync("power", "off", machine.HardwareName, "-o", "json")).Json<List<JobView>>();
        Assert.Equal(JobActions.PowerOff, Assert.Single(submitted).Action);
        Assert.Equal(machine.Id, submitted[0].Target.MachineId);

        var waited = (await cli.OkAsync("power", "on", machine.HardwareName, "-o", "json", "--wait")).Json<List<JobView>>();
        Assert.Equal(JobStatus.Succeeded, Assert.Single(waited).Status);
        Assert.Equal("on", waited[0].Result!["power_state"].GetString());
        Assert.Equal(PowerState.On, bmc.Power);
    }

    [Fact]
    public async Task Power_help_lists_its_verbs_and_the_shared_options()
    {
        using var cli = new CliRunner();
        var result = await cli.OkAsync("power", "--help");
        foreach (var verb in new[] { "on <host>", "off <host>", "cycle <host>" })
            Assert.Contains(Environment.NewLine + "  " + verb + " ", result.Out);
        var cycle = await cli.OkAsync("power", "cycle", "--help");
        Assert.Contains("--wait", cycle.Out);
        Assert.Contains("-o, --output <json|table>", cycle.Out);
    }
}
