using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Server.Tests.SelfService;

namespace Ingot.Server.Tests.Jobs;

/// <summary>Submitting, listing and cancelling jobs over HTTP, on a server whose workers do not run, so that
/// jobs stay queued for as long as a test looks at them.</summary>
public sealed class JobApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    private async Task<MachineView> MachineAsync(bool bmc = true, string? site = null, string? role = null) =>
        await Server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial(), Site: site, Role: role,
            Bmc: bmc ? new BmcInput("ipmi", "127.0.9.9", 623, "admin", "password") : null));

    private static Dictionary<string, JsonElement> Params(params (string Name, object Value)[] values) =>
        values.ToDictionary(v => v.Name, v => JsonSerializer.SerializeToElement(v.Value));

    [Fact]
    public async Task Submit_Answers202_WithTheQueuedJob_ItsStepsAndItsPlaceInTheQueue()
    {
        var machine = await MachineAsync();
        using var http = Server.Http();
        var response = await http.PostAsJsonAsync($"api/v1/machines/{machine.HardwareName}/jobs", new { action = "power_cycle" });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var job = (await response.Content.ReadFromJsonAsync<JobView>(IngotJson.Options))!;
        Assert.Equal($"/api/v1/jobs/{job.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal(JobStatus.Queued, job.Status);
        Assert.Equal("power_cycle", job.Action);
        Assert.Equal(machine.Id, job.Target.MachineId);
        Assert.Equal("admin", job.User);
        Assert.Equal("api", job.Requester);
        Assert.Equal(0, job.Attempt);
        Assert.True(job.QueuePosition >= 1);
        Assert.Equal(["power_off", "power_on"], job.Steps.Select(s => s.Name));
        Assert.All(job.Steps, s => Assert.Equal(StepStatus.Pending, s.Status));
    }

    [Fact]
    public async Task TheSameUsersJobs_QueueInOrder()
    {
        var (user, _, role) = await Accounts.TeamMemberAsync(Server);
        var first = await user.Client.SubmitJobAsync((await MachineAsync(role: role)).HardwareName, JobActions.PowerOn);
        var second = await user.Client.SubmitJobAsync((await MachineAsync(role: role)).HardwareName, JobActions.PowerOn);
        Assert.Equal(first.QueuePosition + 1, (await user.Client.GetJobAsync(second.Id)).QueuePosition);
    }

    [Fact]
    public async Task UnknownAction_Is422_ListingTheActions()
    {
        var machine = await MachineAsync();
        var e = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.SubmitJobAsync(machine.HardwareName, "explode"));
        Assert.Equal(422, e.Problem.Status);
        Assert.Contains("power_cycle", e.Problem.Errors!["action"].Single());
    }

    [Theory]
    [InlineData("set_boot_device", "{}", "params.device", "is required")]
    [InlineData("set_boot_device", """{"device":"floppy"}""", "params.device", "'floppy' is not a boot device")]
    [InlineData("set_boot_device", """{"device":"pxe","persistent":"yes"}""", "params.persistent", "true or false")]
    [InlineData("set_boot_device", """{"device":"pxe","mode":"bios"}""", "params.mode", "uefi or legacy")]
    [InlineData("power_on", """{"force":true}""", "params.force", "takes no params")]
    [InlineData("reboot", """{"graceful_timeout_seconds":"soon"}""", "params.graceful_timeout_seconds", "whole number")]
    [InlineData("reboot", """{"graceful_timeout_seconds":99999}""", "params.graceful_timeout_seconds", "0 to 3600")]
    public async Task BadParams_Are422_NamingTheParam(string action, string parameters, string field, string reason)
    {
        var machine = await MachineAsync();
        var e = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.SubmitJobAsync(
            machine.HardwareName, action, JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(parameters)));
        Assert.Equal(422, e.Problem.Status);
        Assert.Contains(reason, e.Problem.Errors![field].Single());
    }

    [Fact]
    public async Task UnknownMachine_Is404()
    {
        var e = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.SubmitJobAsync("no-such-machine", JobActions.PowerOn));
        Assert.Equal(404, e.Problem.Status);
    }

    [Fact]
    public async Task MachineInMaintenance_Is409_WithTheReason_AndQueuesNothing()
    {
        var machine = await MachineAsync();
        await Server.Admin.SetMaintenanceAsync(machine.HardwareName, true, "PSU swap");
        var e = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.SubmitJobAsync(machine.HardwareName, JobActions.PowerCycle));
        Assert.Equal(409, e.Problem.Status);
        Assert.Contains("PSU swap", e.Problem.Detail);
        Assert.Empty((await Server.Admin.ListJobsAsync(new JobQuery(Machine: machine.HardwareName))).Items);
    }

    [Fact]
    public async Task MachineWithoutBmc_Is409_SayingSo()
    {
        var machine = await MachineAsync(bmc: false);
        var e = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.SubmitJobAsync(machine.HardwareName, JobActions.PowerOn));
        Assert.Equal(409, e.Problem.Status);
        Assert.Contains("no BMC", e.Problem.Detail);
    }

    [Fact]
    public async Task LifecycleAction_TheMachinesStateDoesNotAllow_Is409_NamingTheState()
    {
        var machine = await MachineAsync();
        await Server.Admin.TransitionAsync(machine.HardwareName, "commission");
        var e = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.SubmitJobAsync(machine.HardwareName, JobActions.Commission));
        Assert.Equal(409, e.Problem.Status);
        Assert.Contains("'available'", e.Problem.Detail);
    }

    [Theory]
    [InlineData("new")]
    [InlineData("allocated", "commission", "allocate")]
    [InlineData("installing", "commission", "allocate", "install")]
    [InlineData("recycling", "commission", "allocate", "install", "finish_install", "recycle")]
    [InlineData("decommissioned", "decommission")]
    public async Task WipeDisks_FromAStateItDoesNotAllow_Is409_NamingTheState_AndQueuesNothing(string state, params string[] triggers)
    {
        var machine = await MachineAsync();
        foreach (var trigger in triggers) await Server.Admin.TransitionAsync(machine.HardwareName, trigger);
        var e = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.SubmitJobAsync(machine.HardwareName, JobActions.WipeDisks));
        Assert.Equal(409, e.Problem.Status);
        Assert.Equal($"Machine {machine.HardwareName} is '{state}': 'wipe_disks' is only allowed from available, in_use, broken.", e.Problem.Detail);
        Assert.Equal(state, e.Problem.Extensions!["current_state"].GetString());
        Assert.Empty((await Server.Admin.ListJobsAsync(new JobQuery(Machine: machine.HardwareName))).Items);
    }

    [Theory]
    [InlineData("commission")]
    [InlineData("commission", "allocate", "install", "finish_install")]
    [InlineData("commission", "fail")]
    public async Task WipeDisks_FromAvailableInUseOrBroken_IsQueued_WithTheWipeSteps(params string[] triggers)
    {
        var machine = await MachineAsync();
        foreach (var trigger in triggers) await Server.Admin.TransitionAsync(machine.HardwareName, trigger);
        var job = await Server.Admin.SubmitJobAsync(machine.HardwareName, JobActions.WipeDisks, force: true);
        Assert.Equal(["set_boot_pxe", "power_off", "power_on", "wait_wipe_started", "wait_wipe_finished", "set_boot_disk", "clear_installed_image"],
            job.Steps.Select(s => s.Name));
        await Server.Admin.CancelJobAsync(job.Id);
    }

    [Theory]
    [InlineData(JobActions.Recycle)]
    [InlineData(JobActions.WipeDisks)]
    [InlineData(JobActions.Decommission)]
    [InlineData(JobActions.Reimage)]
    public async Task An_erasing_job_on_an_in_use_machine_needs_force_like_a_batch_and_queues_nothing_without_it(string action)
    {
        var machine = await MachineAsync();
        foreach (var trigger in new[] { "commission", "allocate", "install", "finish_install" }) await Server.Admin.TransitionAsync(machine.HardwareName, trigger);
        var image = await Server.Admin.CreateImageAsync(new ImageCreate(Unique.Name("os"), ImageKind.Install, "http://i.invalid/k", "http://i.invalid/i"));
        var parameters = action == JobActions.Reimage ? new Dictionary<string, JsonElement> { ["image"] = JsonSerializer.SerializeToElement(image.Name) } : null;

        var e = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.SubmitJobAsync(machine.HardwareName, action, parameters));
        Assert.Equal(409, e.Status);
        Assert.Equal($"Machine {machine.HardwareName} is in_use: '{action}' would erase it; pass force: true (ingot: --force).", e.Problem.Detail);
        Assert.Empty((await Server.Admin.ListJobsAsync(new JobQuery(Machine: machine.HardwareName))).Items);

        var job = await Server.Admin.SubmitJobAsync(machine.HardwareName, action, parameters, force: true);
        Assert.Equal(action, job.Action);
        await Server.Admin.CancelJobAsync(job.Id);
    }

    [Fact]
    public async Task CancelQueued_EndsItAtOnce_RecordingWho_AndASecondCancelIs409()
    {
        var job = await Server.Admin.SubmitJobAsync((await MachineAsync()).HardwareName, JobActions.PowerCycle);
        var cancelled = await Server.Admin.CancelJobAsync(job.Id);
        Assert.Equal(JobStatus.Cancelled, cancelled.Status);
        Assert.Equal("admin", cancelled.CancelledBy);
        Assert.NotNull(cancelled.EndedAt);
        Assert.All(cancelled.Steps, s => Assert.Equal(StepStatus.Cancelled, s.Status));
        var e = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.CancelJobAsync(job.Id));
        Assert.Equal(409, e.Problem.Status);
    }

    [Fact]
    public async Task AnotherUsersJob_CannotBeCancelled_ButAnAdminCan()
    {
        var (owner, _, role) = await Accounts.TeamMemberAsync(Server);
        var stranger = await Accounts.CreateAsync(Server);
        var job = await owner.Client.SubmitJobAsync((await MachineAsync(role: role)).HardwareName, JobActions.PowerOn);
        var e = await Assert.ThrowsAsync<IngotApiException>(() => stranger.Client.CancelJobAsync(job.Id));
        Assert.Equal(403, e.Problem.Status);
        Assert.Equal(JobStatus.Cancelled, (await Server.Admin.CancelJobAsync(job.Id)).Status);
    }

    [Fact]
    public async Task List_FiltersByMachineUserActionAndStatus_AndPagesNewestFirst()
    {
        var (user, _, role) = await Accounts.TeamMemberAsync(Server);
        var machine = await MachineAsync(role: role);
        var ids = new List<long>();
        foreach (var action in new[] { JobActions.PowerOn, JobActions.PowerOff, JobActions.PowerOn })
            ids.Add((await user.Client.SubmitJobAsync(machine.HardwareName, action)).Id);
        await user.Client.CancelJobAsync(ids[0]);

        var page1 = await Server.Admin.ListJobsAsync(new JobQuery(User: user.Name, Limit: 2));
        Assert.Equal([ids[2], ids[1]], page1.Items.Select(j => j.Id));
        var page2 = await Server.Admin.ListJobsAsync(new JobQuery(User: user.Name, Limit: 2, After: page1.Next));
        Assert.Equal([ids[0]], page2.Items.Select(j => j.Id));
        Assert.Null(page2.Next);
        Assert.Equal([ids[2]], (await Server.Admin.ListJobsAsync(new JobQuery(Machine: machine.HardwareName, Action: "power_on", Status: "queued"))).Items.Select(j => j.Id));
        Assert.Equal([ids[0]], (await Server.Admin.ListJobsAsync(new JobQuery(User: user.Name, Status: "cancelled"))).Items.Select(j => j.Id));
        Assert.Empty((await Server.Admin.ListJobsAsync(new JobQuery(User: user.Name, Since: DateTimeOffset.UtcNow.AddMinutes(1)))).Items);
    }

    [Theory]
    [InlineData("status=done", "status")]
    [InlineData("action=explode", "action")]
    [InlineData("since=yesterday", "since")]
    [InlineData("limit=0", "limit")]
    [InlineData("colour=red", "colour")]
    public async Task List_WithABadFilter_Is422_NamingIt(string query, string field)
    {
        using var http = Server.Http();
        var problem = await (await http.GetAsync($"api/v1/jobs?{query}")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.True(problem.Errors!.ContainsKey(field), string.Join(", ", problem.Errors.Keys));
    }

    [Fact]
    public async Task UnknownJob_Is404()
    {
        var e = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.GetJobAsync(987654321));
        Assert.Equal(404, e.Problem.Status);
    }

    [Fact]
    public async Task Broker_ShowsItsLimits_AndTheQueuePerSite()
    {
        var site = (await Server.Admin.CreateSiteAsync(new SiteCreate(Unique.Name("site")))).Name;
        await Server.Admin.SubmitJobAsync((await MachineAsync(site: site)).HardwareName, JobActions.PowerOn);
        var broker = await Server.Admin.GetBrokerStatusAsync();
        Assert.Equal(200, broker.PerSiteLimit);
        Assert.Equal(3, broker.MaxAttempts);
        var load = broker.Sites.Single(s => s.Site == site);
        Assert.Equal(1, load.Queued);
        Assert.Equal(0, load.Running);
    }

    /// <summary>Issue 11 A.4: a client that lost the 202 sends the same key again and gets the same job, not a second one.</summary>
    [Fact]
    public async Task Submit_WithTheSameIdempotencyKey_ReturnsTheSameJob_AndAnotherBodyUnderItIs422()
    {
        var machine = await MachineAsync();
        var key = Unique.Name("key");
        using var http = Server.Http();
        async Task<HttpResponseMessage> PostAsync(object body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/machines/{machine.HardwareName}/jobs") { Content = JsonContent.Create(body) };
            request.Headers.Add("Idempotency-Key", key);
            return await http.SendAsync(request);
        }

        var first = await PostAsync(new { action = "power_cycle" });
        var again = await PostAsync(new { action = "power_cycle" });

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var job = (await first.Content.ReadFromJsonAsync<JobView>(IngotJson.Options))!;
        Assert.Equal(job.Id, (await again.Content.ReadFromJsonAsync<JobView>(IngotJson.Options))!.Id);
        var jobs = await Server.Admin.ListJobsAsync(new JobQuery(Machine: machine.HardwareName));
        Assert.Single(jobs.Items);

        var other = await (await PostAsync(new { action = "power_on" })).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains($"was used for job {job.Id} with another body", other.Errors!["Idempotency-Key"][0]);
        // The typed client sends the header too.
        var typed = await Server.Admin.SubmitJobAsync(machine.HardwareName, JobActions.PowerCycle, idempotencyKey: key);
        Assert.Equal(job.Id, typed.Id);
    }

    [Fact]
    public async Task Submit_WithAnIdempotencyKey_ForAnotherMachine_IsRefused()
    {
        var (one, two) = (await MachineAsync(), await MachineAsync());
        var key = Unique.Name("key");
        await Server.Admin.SubmitJobAsync(one.HardwareName, JobActions.PowerOn, idempotencyKey: key);
        var e = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.SubmitJobAsync(two.HardwareName, JobActions.PowerOn, idempotencyKey: key));
        Assert.Equal(422, e.Problem.Status);
        Assert.Empty((await Server.Admin.ListJobsAsync(new JobQuery(Machine: two.HardwareName))).Items);
    }
}
