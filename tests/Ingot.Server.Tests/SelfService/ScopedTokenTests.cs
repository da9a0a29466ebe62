using System.Net;
using System.Net.Http.Json;
using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.SelfService;

/// <summary>Issue 12: a token limited to reads, or to submitting some job actions (docs/authorization.md), whatever its
/// user may do otherwise.</summary>
public sealed class ScopedTokenTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    private async Task<MachineView> MachineAsync(string role) =>
        await Server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial(), Role: role,
            Bmc: new BmcInput("ipmi", "127.0.9.9", 623, "admin", "password")));

    private static async Task<Problem> RefusedAsync(Task task) => (await Assert.ThrowsAsync<IngotApiException>(() => task)).Problem;

    [Fact]
    public async Task A_read_only_token_of_an_admin_reads_but_every_write_is_403_naming_its_scope()
    {
        var (_, _, role) = await Accounts.TeamMemberAsync(Server);
        var machine = await MachineAsync(role);
        var created = await Server.Admin.CreateTokenAsync(new TokenCreate("dashboard", Scope: ["read"]));
        Assert.Equal(["read"], created.Scope);
        var reader = Server.Client(created.Token);

        Assert.Equal(machine.Id, (await reader.GetMachineAsync(machine.HardwareName)).Id);
        Assert.NotEmpty(await reader.ListUsersAsync());
        var me = await reader.WhoAmIAsync();
        Assert.True(me.Admin);
        Assert.Equal(["read"], me.Scope);

        var writes = new Task[]
        {
            reader.SubmitJobAsync(machine.HardwareName, JobActions.PowerCycle),
            reader.SubmitBatchAsync(new BatchSubmit(JobActions.Reboot, [machine.HardwareName])),
            reader.CreateSiteAsync(new SiteCreate(Unique.Name("site"))),
            reader.UpdateMachineAsync(machine.HardwareName, new MachineUpdate(Vendor: "edited")),
            reader.CreateTokenAsync(new TokenCreate("wider")),
            reader.CreateUserAsync(new UserCreate(Unique.Name("u"))),
            reader.DeleteTokenAsync(created.Id),
        };
        foreach (var write in writes)
        {
            var refused = await RefusedAsync(write);
            Assert.Equal(403, refused.Status);
            Assert.Contains("is scoped to reads (GET and HEAD)", refused.Detail);
        }
        Assert.Empty((await Server.Admin.ListJobsAsync(new JobQuery(Machine: machine.HardwareName))).Items);
        Assert.Equal(["read"], Assert.Single(await Server.Admin.ListTokensAsync(), t => t.Id == created.Id).Scope);
        // The refusals are in the audit like any other 403.
        Assert.Contains((await Server.Admin.ListAuditAsync(actor: me.Name)).Items, e => e.Action == "POST /api/v1/sites" && e.Status == 403);
    }

    [Fact]
    public async Task An_action_scoped_token_may_power_cycle_its_teams_machine_but_not_reimage_it_nor_edit_anything()
    {
        var (member, _, role) = await Accounts.TeamMemberAsync(Server);
        var machine = await MachineAsync(role);
        var (_, _, otherRole) = await Accounts.TeamMemberAsync(Server);
        var others = await MachineAsync(otherRole);
        var scoped = Server.Client((await member.Client.CreateTokenAsync(new TokenCreate("restarter", Scope: ["power_cycle", "reboot"]))).Token);

        Assert.Equal(JobStatus.Queued, (await scoped.SubmitJobAsync(machine.HardwareName, JobActions.PowerCycle)).Status);
        Assert.Equal(1, (await scoped.SubmitBatchAsync(new BatchSubmit(JobActions.Reboot, [machine.HardwareName]))).Hosts);
        Assert.Equal(["power_cycle", "reboot"], (await scoped.WhoAmIAsync()).Scope);

        var reimage = await RefusedAsync(scoped.SubmitJobAsync(machine.HardwareName, JobActions.Reimage,
            new Dictionary<string, System.Text.Json.JsonElement> { ["image"] = System.Text.Json.JsonSerializer.SerializeToElement("debian") }));
        Assert.Equal(403, reimage.Status);
        Assert.Equal($"This token of '{member.Name}' is scoped to reads and submitting power_cycle, reboot; it may not submit 'reimage'.", reimage.Detail);
        var batch = await RefusedAsync(scoped.SubmitBatchAsync(new BatchSubmit(JobActions.PowerOff, [machine.HardwareName])));
        Assert.Equal(403, batch.Status);
        Assert.Contains("it may not submit 'power_off'", batch.Detail);
        // The scope narrows the user's rights, never widens them: another team's machine stays theirs.
        Assert.Contains("belongs to team", (await RefusedAsync(scoped.SubmitJobAsync(others.HardwareName, JobActions.PowerCycle))).Detail);
        var edit = await RefusedAsync(scoped.CreateTokenAsync(new TokenCreate("full")));
        Assert.Equal(403, edit.Status);
        Assert.Contains("is scoped to reads and submitting power_cycle, reboot; it may not POST /api/v1/tokens", edit.Detail);
        var job = Assert.Single((await Server.Admin.ListJobsAsync(new JobQuery(Machine: machine.HardwareName, Action: JobActions.PowerCycle))).Items);
        Assert.Equal(403, (await RefusedAsync(scoped.CancelJobAsync(job.Id))).Status);
    }

    [Fact]
    public async Task A_scope_that_is_not_read_or_job_actions_is_422_naming_each_entry_and_read_may_come_as_one_string()
    {
        var user = await Accounts.CreateAsync(Server);
        using var http = Server.Http(user.Token);
        var response = await http.PostAsJsonAsync("api/v1/tokens", new { name = "x", scope = new[] { "read", "power_cycle", "sudo" } });
        var problem = await response.ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("'read' stands alone", Assert.Single(problem.Errors!["scope[0]"]));
        Assert.Contains("'sudo' is not a job action", Assert.Single(problem.Errors["scope[2]"]));
        Assert.Contains("is empty", Assert.Single((await (await http.PostAsJsonAsync("api/v1/tokens", new { scope = Array.Empty<string>() }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity)).Errors!["scope"]));

        var read = await http.PostAsJsonAsync("api/v1/tokens", new { name = "reader", scope = "read" });
        Assert.Equal(HttpStatusCode.Created, read.StatusCode);
        Assert.Equal(["read"], (await read.Content.ReadFromJsonAsync<TokenCreated>(IngotJson.Options))!.Scope);
    }
}
