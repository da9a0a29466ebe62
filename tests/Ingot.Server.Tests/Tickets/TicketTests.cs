using Ingot.Client;
using Ingot.Server.Hosting;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Server.Tests.Jobs;

namespace Ingot.Server.Tests.Tickets;

/// <summary>A fleet server whose tickets go to team dc-ops wherever the machine is: 127.0.42.x.</summary>
public sealed class TicketFleet() : SimulatedFleetServer("127.0.42.1", 10)
{
    protected override ServerSettings Configure(ServerSettings settings) => settings with
    {
        Tickets = settings.Tickets with { Routes = new Dictionary<string, string> { ["*"] = "dc-ops" }, Interval = TimeSpan.FromMilliseconds(50) },
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Server.Admin.CreateTeamAsync(new TeamCreate("dc-ops"));
    }
}

/// <summary>A user's job that fails for good opens a triage ticket with its evidence, routed and watched; a second
/// failure while it is open adds to it; the routed team acknowledges and resolves it.</summary>
public sealed class TicketTests(TicketFleet fleet) : IClassFixture<TicketFleet>
{
    private IngotClient Admin => fleet.Server.Admin;

    private static async Task<TicketView> OpenTicketAsync(IngotClient client, MachineView machine, Func<TicketView, bool> until, CancellationToken ct)
    {
        while (true)
        {
            if ((await client.ListTicketsAsync(new TicketQuery(Machine: machine.HardwareName), ct)).Items.FirstOrDefault() is { } t && until(t))
                return await client.GetTicketAsync(t.Id, ct);
            await Task.Delay(50, ct);
        }
    }

    [Fact]
    public async Task AFailedJob_OpensOneTicket_WithEvidence_RoutedAndWatched_ThenResolved()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var (machine, bmc) = await fleet.MachineAsync();
        var alice = Unique.Name("alice");
        await Admin.CreateUserAsync(new UserCreate(alice, Grant: "operator"), timeout.Token);
        var aliceClient = fleet.Server.Client((await Admin.CreateTokenAsync(new TokenCreate("t", alice), timeout.Token)).Token);
        bmc.Faults = new Simulator.BmcFaults { IgnorePowerCommands = true };
        try
        {
            var failed = await BrokerFixture.RunAsync(aliceClient, machine, JobActions.PowerOff);
            Assert.Equal(JobStatus.Failed, failed.Status);
            var ticket = await OpenTicketAsync(Admin, machine, _ => true, timeout.Token);
            Assert.Equal((TicketStatus.Open, "job", "dc-ops", failed.Id, 1), (ticket.Status, ticket.Source, ticket.Team, ticket.JobId, ticket.Occurrences));
            Assert.Equal([alice], ticket.Watchers);
            Assert.StartsWith($"{machine.HardwareName}: power_off failed: ", ticket.Title);
            var evidence = ticket.Evidence!;
            Assert.Equal(failed.Id, evidence.Job!.Id);
            Assert.Contains(evidence.Job.Steps, s => s.Status == StepStatus.Failed);
            Assert.Equal(machine.Id, evidence.Machine!.Id);

            // Again while it is open: the same ticket, one more occurrence, the admin watching too.
            await BrokerFixture.RunAsync(Admin, machine, JobActions.PowerOff);
            ticket = await OpenTicketAsync(Admin, machine, t => t.Occurrences == 2, timeout.Token);
            Assert.Equal([alice, "admin"], ticket.Watchers);
            Assert.Single((await Admin.ListTicketsAsync(new TicketQuery(Machine: machine.HardwareName), timeout.Token)).Items);

            // A member of another team may neither resolve it nor comment; the watcher may comment.
            var bob = Unique.Name("bob");
            await Admin.CreateUserAsync(new UserCreate(bob), timeout.Token);
            var bobClient = fleet.Server.Client((await Admin.CreateTokenAsync(new TokenCreate("t", bob), timeout.Token)).Token);
            Assert.Equal(403, (await Assert.ThrowsAsync<IngotApiException>(() => bobClient.ResolveTicketAsync(ticket.Id))).Problem.Status);
            Assert.Equal(403, (await Assert.ThrowsAsync<IngotApiException>(() => bobClient.CommentTicketAsync(ticket.Id, "me too"))).Problem.Status);
            await Admin.AddTeamMemberAsync("dc-ops", bob, timeout.Token);
            var bobInTeam = fleet.Server.Client((await Admin.CreateTokenAsync(new TokenCreate("t2", bob), timeout.Token)).Token);
            Assert.Equal(TicketStatus.Acknowledged, (await bobInTeam.AcknowledgeTicketAsync(ticket.Id, timeout.Token)).Status);
            var commented = await aliceClient.CommentTicketAsync(ticket.Id, "the PDU was reseated", timeout.Token);
            Assert.Equal("the PDU was reseated", Assert.Single(commented.Comments!).Body);
            var resolved = await bobInTeam.ResolveTicketAsync(ticket.Id, timeout.Token);
            Assert.Equal((TicketStatus.Resolved, bob), (resolved.Status, resolved.ResolvedBy));
            Assert.Equal(409, (await Assert.ThrowsAsync<IngotApiException>(() => bobInTeam.AcknowledgeTicketAsync(ticket.Id))).Problem.Status);

            // On PostgreSQL the log shows a change once every transaction older than it has ended (so a reader's cursor
            // never passes one still running): the last ones may take a moment to appear.
            IReadOnlyList<EventView> events;
            while ((events = (await Admin.ListEventsAsync(new EventQuery(Types: "ticket.*", Subject: $"ticket:{ticket.Id}"), timeout.Token)).Items).Count < 5)
                await Task.Delay(50, timeout.Token);
            Assert.Equal(["ticket.opened", "ticket.recurred", "ticket.acknowledged", "ticket.commented", "ticket.resolved"], events.Select(e => e.Type));
            Assert.Equal("dc-ops", events[0].Team);
        }
        finally
        {
            bmc.Faults = Simulator.BmcFaults.None;
        }
    }

    [Fact]
    public async Task APrecheckThatLeavesAHostOut_OpensATicketForIt()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var (good, _) = await fleet.MachineAsync();
        var (dead, bmc) = await fleet.MachineAsync();
        bmc.Faults = new Simulator.BmcFaults { Unreachable = true };
        try
        {
            var batch = await Admin.SubmitBatchAsync(new BatchSubmit(JobActions.PowerOn, [good.HardwareName, dead.HardwareName],
                Precheck: System.Text.Json.JsonSerializer.SerializeToElement("exclude")), ct: timeout.Token);
            Assert.Single(batch.Excluded);
            var ticket = await OpenTicketAsync(Admin, dead, _ => true, timeout.Token);
            Assert.Equal(("precheck", batch.Id), (ticket.Source, ticket.BatchId));
            Assert.NotNull(ticket.Evidence!.Precheck);
            Assert.Empty((await Admin.ListTicketsAsync(new TicketQuery(Machine: good.HardwareName), timeout.Token)).Items);
        }
        finally
        {
            bmc.Faults = Simulator.BmcFaults.None;
        }
    }

    [Fact]
    public async Task APrecheckThatRefusesTheBatch_OpensATicketForTheDeadHost_AndSaysSoInTheLog()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var (good, _) = await fleet.MachineAsync();
        var (dead, bmc) = await fleet.MachineAsync();
        bmc.Faults = new Simulator.BmcFaults { Unreachable = true };
        try
        {
            var refused = await Assert.ThrowsAsync<IngotApiException>(() => Admin.SubmitBatchAsync(new BatchSubmit(JobActions.PowerOn,
                [good.HardwareName, dead.HardwareName], Precheck: System.Text.Json.JsonSerializer.SerializeToElement(true)), ct: timeout.Token));
            Assert.Equal(422, refused.Problem.Status);
            var ticket = await OpenTicketAsync(Admin, dead, _ => true, timeout.Token);
            Assert.Equal(("precheck", (long?)null, "dc-ops"), (ticket.Source, ticket.BatchId, ticket.Team));
            Assert.Contains("refused a batch (power_on)", ticket.Title);
            Assert.Equal(["admin"], ticket.Watchers);
            Assert.Empty((await Admin.ListTicketsAsync(new TicketQuery(Machine: good.HardwareName), timeout.Token)).Items);
            var rejected = Assert.Single((await Admin.ListEventsAsync(new EventQuery(Types: "batch.rejected", Limit: 1000), timeout.Token)).Items,
                e => e.Data.GetProperty("failed")[0].GetProperty("machine_id").GetInt64() == dead.Id);
            Assert.Equal(2, rejected.Data.GetProperty("hosts").GetInt32());
        }
        finally
        {
            bmc.Faults = Simulator.BmcFaults.None;
        }
    }

    [Fact]
    public async Task BadTicketRequests_AreRefusedByField()
    {
        using var http = fleet.Server.Http(fleet.Server.AdminToken);
        var problem = await (await http.GetAsync("api/v1/tickets?status=burning&team=nobody")).ProblemAsync(System.Net.HttpStatusCode.UnprocessableEntity);
        Assert.Contains("burning", problem.Errors!["status"][0]);
        Assert.Equal(404, (await Assert.ThrowsAsync<IngotApiException>(() => Admin.GetTicketAsync(987654))).Problem.Status);
        Assert.Equal(422, (await Assert.ThrowsAsync<IngotApiException>(() => Admin.CommentTicketAsync(987654, ""))).Problem.Status);
    }
}
