using System.Globalization;
using System.Text.Json;
using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Batches;

/// <summary>batch submit, list, show, hosts, watch and cancel against a server whose broker runs the batches' jobs
/// on simulated BMCs.</summary>
public sealed class BatchCommandTests(BatchServerFixture fixture) : IClassFixture<BatchServerFixture>
{
    private IngotClient Admin => fixture.Server.Admin;

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    private async Task<List<MachineView>> MachinesAsync(int count)
    {
        var machines = new List<MachineView>();
        for (var i = 0; i < count; i++) machines.Add((await fixture.MachineAsync()).Machine);
        return machines;
    }

    private async Task<BatchView> EndedAsync(long id)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var batch = await Admin.GetBatchAsync(id, timeout.Token);
            if (batch.Status is BatchStatus.Succeeded or BatchStatus.CompletedWithErrors or BatchStatus.Failed or BatchStatus.Cancelled) return batch;
            await Task.Delay(50, timeout.Token);
        }
    }

    /// <summary>A power_cycle batch over two machines of its own, run to its end.</summary>
    private async Task<(List<MachineView> Machines, BatchView Batch)> FinishedBatchAsync()
    {
        var machines = await MachinesAsync(2);
        var batch = await Admin.SubmitBatchAsync(new BatchSubmit(JobActions.PowerCycle, machines.Select(m => m.HardwareName).ToList()));
        return (machines, await EndedAsync(batch.Id));
    }

    [Fact]
    public async Task Submit_from_a_file_then_watch_ends_at_100_percent_with_exit_0()
    {
        var machines = await MachinesAsync(3);
        using var cli = CliRunner.For(fixture.Server);
        var file = cli.File("hosts.txt", "# rack 12\n" + machines[0].HardwareName + "\n\n  " + machines[1].HardwareName + "  # the odd one\n" +
                                         machines[2].HardwareName + "\n");

        var submitted = await cli.OkAsync("batch", "submit", "--action", "power_cycle", "-f", file);

        Assert.Matches(@"status:\s+(queued|running)", submitted.Out);
        Assert.Matches(@"hosts:\s+3", submitted.Out);
        var id = Lines.Row(submitted.Out, "id:")[1];
        Assert.Equal($"follow with: ingot batch watch {id}", submitted.Error.Trim());

        var watched = await cli.OkAsync("batch", "watch", id);

        var lines = Lines.Of(watched.Out);
        Assert.All(lines[..^1], l => Assert.StartsWith($"batch {id}: ", l));
        Assert.Equal($"batch {id}: succeeded, 3/3 done (100%): 0 queued, 0 running, 3 succeeded, 0 failed, 0 cancelled", lines[^2]);
        Assert.StartsWith($"batch {id} succeeded: 3/3 hosts done (100%): 3 succeeded, 0 failed, 0 cancelled", lines[^1]);
        Assert.Equal("", watched.Error);
        // A line only when the counts change: never the same line twice in a row.
        Assert.Equal(lines.Length, lines.Distinct().Count());
    }

    [Fact]
    public async Task Submit_reads_the_hosts_from_stdin_and_prints_json()
    {
        var machines = await MachinesAsync(2);
        using var cli = CliRunner.For(fixture.Server);
        cli.Stdin = string.Join("\n", machines.Select(m => m.HardwareName));

        var batch = (await cli.OkAsync("batch", "submit", "--action", "power_on", "-f", "-", "-o", "json")).Json<BatchView>();

        Assert.Equal((JobActions.PowerOn, 2), (batch.Action, batch.Hosts));
        var watched = (await cli.OkAsync("batch", "watch", Id(batch.Id), "-o", "json")).Json<BatchView>();
        Assert.Equal((BatchStatus.Succeeded, 2L), (watched.Status, watched.Counts.Succeeded));
    }

    [Fact]
    public async Task Submit_with_the_same_idempotency_key_returns_the_same_batch()
    {
        var (machine, _) = await fixture.MachineAsync();
        using var cli = CliRunner.For(fixture.Server);
        string[] args = ["batch", "submit", "--action", "power_on", "--idempotency-key", Unique.Name("key"), machine.HardwareName, "-o", "json"];

        var first = (await cli.OkAsync(args)).Json<BatchView>();
        var again = (await cli.OkAsync(args)).Json<BatchView>();

        Assert.Equal(first.Id, again.Id);
        Assert.Equal(BatchStatus.Succeeded, (await EndedAsync(first.Id)).Status);
    }

    [Fact]
    public async Task Submit_with_an_unknown_host_exits_1_naming_it()
    {
        var (machine, _) = await fixture.MachineAsync();
        using var cli = CliRunner.For(fixture.Server);

        var result = await cli.FailsAsync(1, "batch", "submit", "--action", "power_cycle", machine.HardwareName, "no-such-host-42");

        Assert.StartsWith("error: Invalid batch (422): ", result.Error);
        Assert.Contains(Environment.NewLine + "  no-such-host-42: ", result.Error);
        Assert.DoesNotContain($"  {machine.HardwareName}: ", result.Error);
        Assert.Empty((await Admin.ListJobsAsync(new JobQuery(Machine: machine.HardwareName))).Items);
    }

    [Fact]
    public async Task A_mistyped_host_in_a_batch_is_named_with_the_near_names()
    {
        var (machine, _) = await fixture.MachineAsync();
        var typo = machine.HardwareName[..^1] + (machine.HardwareName[^1] == 'x' ? 'y' : 'x');
        using var cli = CliRunner.For(fixture.Server);

        var result = await cli.FailsAsync(1, "batch", "submit", "--action", "power_cycle", typo);

        Assert.Contains($"  {typo}: no machine has this hostname or hardware_name; did you mean {machine.HardwareName}", result.Error);
    }

    [Fact]
    public async Task A_refused_batch_names_each_host_once_in_the_clis_words()
    {
        var inUse = await MachinesAsync(2);
        foreach (var machine in inUse)
            foreach (var trigger in new[] { "commission", "allocate", "install", "finish_install" })
                await Admin.TransitionAsync(machine.HardwareName, trigger);
        using var cli = CliRunner.For(fixture.Server);

        var result = await cli.FailsAsync(1, "batch", "submit", "--action", "recycle", inUse[0].HardwareName, inUse[1].HardwareName, "no-such-host-43");

        Assert.StartsWith("error: Invalid batch (422): nothing was queued; 3 host(s) refused", result.Error);
        foreach (var machine in inUse)
        {
            Assert.Single(Lines.Of(result.Error), l => l.Contains(machine.HardwareName));
            Assert.Contains($"  {machine.HardwareName}: is in_use: 'recycle' would erase it; pass --force", result.Error);
        }
        Assert.Single(Lines.Of(result.Error), l => l.Contains("no-such-host-43"));
        Assert.DoesNotContain("force: true", result.Error);
    }

    [Fact]
    public async Task A_host_of_an_active_batch_is_refused_with_the_batch_holding_it_then_cancel_and_watch()
    {
        var (busy, _) = await fixture.MachineAsync();
        var (free, _) = await fixture.MachineAsync();
        foreach (var trigger in new[] { "commission", "allocate", "install", "finish_install" })
            await Admin.TransitionAsync(busy.HardwareName, trigger);
        var image = await Admin.CreateImageAsync(new ImageCreate(Unique.Name("debian"), ImageKind.Install, "http://images.example/vmlinuz",
            "http://images.example/initrd.img"));
        // No machine here network-boots: the reimage waits for an installer that never comes, so the batch stays active.
        var holding = await Admin.SubmitBatchAsync(new BatchSubmit(JobActions.Reimage, [busy.HardwareName],
            new Dictionary<string, JsonElement> { ["image"] = JsonSerializer.SerializeToElement(image.Name) }, Force: true));
        using var cli = CliRunner.For(fixture.Server);
        try
        {
            var refused = await cli.FailsAsync(1, "batch", "submit", "--action", "power_cycle", free.HardwareName, busy.HardwareName);

            Assert.StartsWith("error: Hosts in another batch (409): ", refused.Error);
            Assert.Contains($"  {busy.HardwareName}: held by batch {holding.Id}", refused.Error);
            Assert.DoesNotContain($"  {free.HardwareName}:", refused.Error);
        }
        finally
        {
            var cancelled = await cli.OkAsync("batch", "cancel", Id(holding.Id));
            Assert.StartsWith($"batch {holding.Id}: ", cancelled.Out);
        }

        var watched = await cli.RunAsync("batch", "watch", Id(holding.Id));
        Assert.True(watched.ExitCode == 1, watched.ToString());
        Assert.StartsWith($"batch {holding.Id} cancelled: 1/1 hosts done (100%): 0 succeeded, 0 failed, 1 cancelled", Lines.Of(watched.Out)[^1]);
        Assert.Contains($"error: {busy.HardwareName} (job ", watched.Error);
        Assert.Contains("was cancelled by admin.", watched.Error);
    }

    [Fact]
    public async Task List_shows_the_batch_and_its_filters_and_json_parse()
    {
        var (_, batch) = await FinishedBatchAsync();
        using var cli = CliRunner.For(fixture.Server);

        var table = await cli.OkAsync("batch", "list", "--user", "admin", "--action", "power_cycle", "--since", "1h", "--limit", "100");

        Assert.Equal(["ID", "ACTION", "STATUS", "HOSTS", "DONE", "FAILED", "CANCELLED", "USER", "TEAMS", "CREATED"], Lines.Cells(Lines.Of(table.Out)[0]));
        // Free-pool machines: the batch acts on no team's.
        Assert.Equal(["power_cycle", "succeeded", "2", "100%", "0", "0", "admin", "-"], Lines.Row(table.Out, Id(batch.Id))[1..9]);

        var page = (await cli.OkAsync("batch", "list", "--status", "succeeded", "--since", "1h", "--limit", "100", "-o", "json")).Json<Page<BatchView>>();
        Assert.Contains(page.Items, b => b.Id == batch.Id);
        var none = (await cli.OkAsync("batch", "list", "--status", "cancelled", "--action", "power_cycle", "--since", "1h", "-o", "json")).Json<Page<BatchView>>();
        Assert.DoesNotContain(none.Items, b => b.Id == batch.Id);
    }

    [Fact]
    public async Task Submit_with_precheck_exclude_names_each_host_left_out_and_why_and_show_lists_them()
    {
        var (up, _) = await fixture.MachineAsync();
        var (down, bmc) = await fixture.MachineAsync();
        bmc.Faults = new Simulator.BmcFaults { Unreachable = true };
        using var cli = CliRunner.For(fixture.Server);

        var result = await cli.OkAsync("batch", "submit", "--action", "power_on", "--precheck", "exclude", up.HardwareName, down.HardwareName);
        bmc.Faults = Simulator.BmcFaults.None;

        Assert.Matches(@"hosts:\s+1\b", result.Out);
        Assert.Matches(@"excluded:\s+1\b", result.Out);
        var errors = Lines.Of(result.Error);
        Assert.Contains("1 host(s) left out by the precheck:", errors);
        Assert.Contains(errors, l => l.StartsWith($"  {down.HardwareName}: BMC precheck failed: ", StringComparison.Ordinal));
        var id = Lines.Row(result.Out, "id:")[1];
        var shown = await cli.OkAsync("batch", "show", id);
        Assert.StartsWith("BMC precheck failed: ", string.Join(" ", Lines.Row(shown.Out, down.HardwareName)[1..]));
        Assert.DoesNotContain(up.HardwareName, shown.Out);
    }

    [Fact]
    public async Task Show_prints_the_fields_and_the_hosts_per_status()
    {
        var (_, batch) = await FinishedBatchAsync();
        using var cli = CliRunner.For(fixture.Server);

        var result = await cli.OkAsync("batch", "show", Id(batch.Id));

        Assert.Matches(@"action:\s+power_cycle", result.Out);
        Assert.Matches(@"status:\s+succeeded", result.Out);
        Assert.Matches(@"user:\s+admin", result.Out);
        Assert.Matches(@"hosts:\s+2", result.Out);
        Assert.Equal(["2", "100%"], Lines.Row(result.Out, "succeeded")[1..]);
        Assert.Equal(["0", "0%"], Lines.Row(result.Out, "failed")[1..]);
        Assert.Equal(batch.Id, (await cli.OkAsync("batch", "show", Id(batch.Id), "-o", "json")).Json<BatchView>().Id);
    }

    [Fact]
    public async Task Hosts_lists_each_host_with_its_job_and_filters()
    {
        var (machines, batch) = await FinishedBatchAsync();
        using var cli = CliRunner.For(fixture.Server);

        var result = await cli.OkAsync("batch", "hosts", Id(batch.Id));

        Assert.Equal(["HOST", "MACHINE", "TEAM", "JOB", "STATUS", "STEP", "ERROR"], Lines.Cells(Lines.Of(result.Out)[0]));
        foreach (var m in machines)
        {
            var row = Lines.Row(result.Out, m.HardwareName);
            Assert.Equal((Id(m.Id), "-"), (row[1], row[2]));
            Assert.Equal("succeeded", row[4]);
        }

        var one = (await cli.OkAsync("batch", "hosts", Id(batch.Id), "--hostname", machines[1].HardwareName, "-o", "json")).Json<Page<BatchHostView>>();
        Assert.Equal(machines[1].Id, Assert.Single(one.Items).MachineId);
        var failed = (await cli.OkAsync("batch", "hosts", Id(batch.Id), "--status", "failed", "-o", "json")).Json<Page<BatchHostView>>();
        Assert.Empty(failed.Items);
    }

    [Fact]
    public async Task Show_of_an_unknown_batch_is_the_servers_404()
    {
        using var cli = CliRunner.For(fixture.Server);
        var result = await cli.FailsAsync(1, "batch", "show", "987654321");
        Assert.StartsWith("error: Not found (404):", result.Error);
    }

    [Theory]
    [InlineData("--action is required", "batch", "submit", "host-1")]
    [InlineData("No hosts", "batch", "submit", "--action", "reboot")]
    [InlineData("--image is required for reimage", "batch", "submit", "--action", "reimage", "host-1")]
    [InlineData("either with -f or as arguments", "batch", "submit", "--action", "reboot", "-f", "-", "host-1")]
    public async Task Submit_refuses_usage_mistakes_before_any_request(string message, params string[] args)
    {
        using var cli = CliRunner.For(fixture.Server);
        var result = await cli.FailsAsync(2, args);
        Assert.Contains(message, result.Error);
    }

    [Fact]
    public async Task Submit_refuses_a_file_with_no_hosts()
    {
        using var cli = CliRunner.For(fixture.Server);
        var file = cli.File("empty.txt", "# nothing yet\n\n");
        var result = await cli.FailsAsync(2, "batch", "submit", "--action", "reboot", "-f", file);
        Assert.Contains("lists no hosts", result.Error);
    }
}
