using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Jobs;

/// <summary>install, reimage, recycle, decommission and wipe: the verbs that boot images submit their jobs as `power`
/// does, and report the server's refusals. No machine here network-boots, so no job is followed past its installer's wait.</summary>
public sealed class LifecycleJobCommandsTests(JobServerFixture fixture) : IClassFixture<JobServerFixture>
{
    private IngotClient Admin => fixture.Server.Admin;

    /// <summary>Cancelled so the job leaves its machine alone; it may have ended already (409: nothing to cancel).</summary>
    private async Task CancelIfRunningAsync(long job)
    {
        try { await Admin.CancelJobAsync(job); }
        catch (IngotApiException e) when (e.Problem.Status == 409) { }
    }

    private async Task<string> InstallImageAsync() =>
        (await Admin.CreateImageAsync(new ImageCreate(Unique.Name("debian"), ImageKind.Install, "http://images.example/vmlinuz",
            "http://images.example/initrd.img"))).Name;

    private async Task<MachineView> InUseAsync()
    {
        var (machine, _) = await fixture.MachineAsync();
        foreach (var trigger in new[] { "commission", "allocate", "install", "finish_install" })
            await Admin.TransitionAsync(machine.HardwareName, trigger);
        return machine;
    }

    private async Task<IReadOnlyList<JobView>> JobsOfAsync(MachineView machine) =>
        (await Admin.ListJobsAsync(new JobQuery(Machine: machine.HardwareName))).Items;

    [Fact]
    public async Task Reimage_submits_a_reimage_job_naming_the_image()
    {
        var machine = await InUseAsync();
        var image = await InstallImageAsync();
        using var cli = CliRunner.For(fixture.Server);

        // No --wait: the job parks until an installer that never comes reports in.
        var result = await cli.OkAsync("reimage", machine.HardwareName, "--image", image, "--force");

        var row = Lines.Row(result.Out, machine.HardwareName);
        Assert.Equal($"follow with: ingot jobs watch {row[1]}", result.Error.Trim());
        var job = (await cli.OkAsync("jobs", "show", row[1], "-o", "json")).Json<JobView>();
        try
        {
            Assert.Equal(JobActions.Reimage, job.Action);
            Assert.Equal(image, job.Params["image"].GetString());
            Assert.Equal(machine.Id, job.Target.MachineId);
        }
        finally
        {
            await Admin.CancelJobAsync(job.Id);
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.Equal(JobStatus.Cancelled, (await Admin.WaitForJobAsync(job.Id, TimeSpan.FromMilliseconds(50), timeout.Token)).Status);
    }

    [Fact]
    public async Task Jobs_show_prints_what_the_installer_reported()
    {
        var machine = await InUseAsync();
        var image = await InstallImageAsync();
        var job = await Admin.SubmitJobAsync(machine.HardwareName, JobActions.Reimage,
            new Dictionary<string, System.Text.Json.JsonElement> { ["image"] = System.Text.Json.JsonSerializer.SerializeToElement(image) }, force: true);
        try
        {
            // The machine is installing now: its boot script carries a token, as iPXE would receive it.
            using var http = new HttpClient { BaseAddress = fixture.Server.Url };
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            string script;
            while (!(script = await http.GetStringAsync($"boot/ipxe?mac={machine.Nics[0].Mac}", timeout.Token)).Contains("ingot.token="))
                await Task.Delay(50, timeout.Token);
            var token = script.Split("ingot.token=")[1].Split(' ')[0];
            using var post = new HttpRequestMessage(HttpMethod.Post, "boot/events")
            {
                Content = System.Net.Http.Json.JsonContent.Create(new BootEvent("progress", "partitioning", 40), options: IngotJson.Options),
            };
            post.Headers.Authorization = new("Bearer", token);
            Assert.True((await http.SendAsync(post, timeout.Token)).IsSuccessStatusCode);

            using var cli = CliRunner.For(fixture.Server);
            var shown = await cli.OkAsync("jobs", "show", job.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Contains("EVENT", shown.Out);
            Assert.Contains("partitioning", shown.Out);
            Assert.Contains("40", shown.Out);
        }
        finally
        {
            await CancelIfRunningAsync(job.Id);
        }
    }

    [Fact]
    public async Task Reimage_without_an_image_is_a_usage_error_and_sends_nothing()
    {
        var machine = await InUseAsync();
        using var cli = CliRunner.For(fixture.Server);

        var result = await cli.FailsAsync(2, "reimage", machine.HardwareName);

        Assert.StartsWith("error: --image is required", result.Error);
        Assert.Empty(await JobsOfAsync(machine));
    }

    [Fact]
    public async Task Reimage_with_an_unknown_image_reports_the_servers_422()
    {
        var machine = await InUseAsync();
        using var cli = CliRunner.For(fixture.Server);

        var result = await cli.FailsAsync(1, "reimage", machine.HardwareName, "--image", "missing", "--force");

        Assert.StartsWith($"error: {machine.HardwareName}: Invalid request (422): params.image: no image named 'missing'", result.Error);
        Assert.Empty(await JobsOfAsync(machine));
    }

    [Fact]
    public async Task Install_of_a_new_machine_reports_the_servers_409()
    {
        var (machine, _) = await fixture.MachineAsync();
        var image = await InstallImageAsync();
        using var cli = CliRunner.For(fixture.Server);

        var result = await cli.FailsAsync(1, "install", machine.HardwareName, "--image", image, "--wait");

        Assert.StartsWith($"error: {machine.HardwareName}: Illegal transition (409): Machine {machine.HardwareName} is 'new': 'install'", result.Error);
    }

    [Fact]
    public async Task Recycle_of_a_new_machine_reports_the_servers_409_and_the_other_host_still_gets_its_job()
    {
        var (fresh, _) = await fixture.MachineAsync();
        var inUse = await InUseAsync();
        using var cli = CliRunner.For(fixture.Server);

        var result = await cli.RunAsync("recycle", fresh.HardwareName, inUse.HardwareName, "--force", "-o", "json");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.StartsWith($"error: {fresh.HardwareName}: Illegal transition (409): Machine {fresh.HardwareName} is 'new': 'recycle' is not allowed",
            result.Error);
        var job = Assert.Single(result.Json<List<JobView>>());
        try
        {
            Assert.Equal((JobActions.Recycle, inUse.Id), (job.Action, job.Target.MachineId));
            Assert.Empty(job.Params);
        }
        finally
        {
            await CancelIfRunningAsync(job.Id);
        }
    }

    [Fact]
    public async Task Wipe_submits_wipe_disks_for_an_in_use_machine_and_reports_the_409_of_a_new_one()
    {
        var (fresh, _) = await fixture.MachineAsync();
        var inUse = await InUseAsync();
        using var cli = CliRunner.For(fixture.Server);

        var result = await cli.RunAsync("wipe", fresh.HardwareName, inUse.HardwareName, "--force", "-o", "json");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.StartsWith($"error: {fresh.HardwareName}: Action not allowed in this state (409): Machine {fresh.HardwareName} is 'new': " +
                          "'wipe_disks' is only allowed from available, in_use, broken.", result.Error);
        var job = Assert.Single(result.Json<List<JobView>>());
        try
        {
            Assert.Equal((JobActions.WipeDisks, inUse.Id), (job.Action, job.Target.MachineId));
        }
        finally
        {
            await CancelIfRunningAsync(job.Id);
        }
    }

    [Fact]
    public async Task Decommission_of_an_installing_machine_reports_the_servers_409()
    {
        var (machine, _) = await fixture.MachineAsync();
        foreach (var trigger in new[] { "commission", "allocate", "install" })
            await Admin.TransitionAsync(machine.HardwareName, trigger);
        using var cli = CliRunner.For(fixture.Server);

        var result = await cli.FailsAsync(1, "decommission", machine.HardwareName);

        Assert.StartsWith($"error: {machine.HardwareName}: Illegal transition (409):", result.Error);
        Assert.Contains("'decommission' is not allowed", result.Error);
    }

    [Theory]
    [InlineData("recycle")]
    [InlineData("wipe")]
    [InlineData("decommission")]
    [InlineData("reimage")]
    public async Task An_erasing_verb_on_an_in_use_machine_needs_force_and_queues_nothing_without_it(string verb)
    {
        var machine = await InUseAsync();
        string[] image = verb == "reimage" ? ["--image", await InstallImageAsync()] : [];
        using var cli = CliRunner.For(fixture.Server);

        var refused = await cli.FailsAsync(1, [verb, machine.HardwareName, .. image]);

        Assert.Contains($"Machine {machine.HardwareName} is in_use: '{(verb == "wipe" ? "wipe_disks" : verb)}' would erase it; pass --force.", refused.Error);
        Assert.DoesNotContain("force: true", refused.Error); // the API's words, not the CLI's
        Assert.Empty(await JobsOfAsync(machine));
        var forced = await cli.OkAsync([verb, machine.HardwareName, .. image, "--force", "-o", "json"]);
        var job = Assert.Single(forced.Json<List<JobView>>());
        await Admin.CancelJobAsync(job.Id);
    }

    [Fact]
    public async Task Lifecycle_help_names_the_image_and_the_shared_options()
    {
        using var cli = new CliRunner();
        var root = await cli.OkAsync("--help");
        foreach (var verb in new[] { "install <host>", "reimage <host>", "wipe <host>", "recycle <host>", "decommission <host>", "images" })
            Assert.Contains(Environment.NewLine + "  " + verb + " ", root.Out);
        foreach (var verb in new[] { "install", "reimage" })
            Assert.Contains("--image <name>", (await cli.OkAsync(verb, "--help")).Out);
        foreach (var verb in new[] { "install", "reimage", "wipe", "recycle", "decommission" })
        {
            var help = (await cli.OkAsync(verb, "--help")).Out;
            Assert.Contains("--wait", help);
            Assert.Contains("-o, --output <json|table>", help);
            Assert.Contains(Ingot.Commands.Power.HostJobs.Outcome, help);
            // Every one of them erases the machine (install only with reimage's in_use case: not install).
            if (verb != "install") Assert.Contains("--force", help); else Assert.DoesNotContain("--force", help);
        }
    }
}
