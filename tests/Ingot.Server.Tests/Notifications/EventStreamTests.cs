using System.Net;
using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Server.Tests.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Ingot.Server.Tests.Notifications;

/// <summary>A fleet server for the event and delivery tests: 127.0.40.x.</summary>
public sealed class EventFleet() : SimulatedFleetServer("127.0.40.1", 30);

/// <summary>Events written with their changes, read as a page and as a server-sent stream resumed by Last-Event-ID.</summary>
public sealed class EventStreamTests(EventFleet fleet) : IClassFixture<EventFleet>
{
    private IngotClient Admin => fleet.Server.Admin;

    private async Task<List<EventView>> ForMachineAsync(long machine, int atLeast, CancellationToken ct, string? types = null)
    {
        while (true)
        {
            var page = await Admin.ListEventsAsync(new EventQuery(Types: types, Machine: machine), ct);
            if (page.Items.Count >= atLeast) return [.. page.Items];
            await Task.Delay(50, ct);
        }
    }

    [Fact]
    public async Task AJob_WritesQueuedStartedEachStepAndSucceeded_AndItsMachinesMoves_InOrder()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (machine, _) = await fleet.MachineAsync();
        var job = await fleet.RunAsync(machine, JobActions.PowerCycle);
        Assert.Equal(JobStatus.Succeeded, job.Status);
        var events = await ForMachineAsync(machine.Id, 7, timeout.Token, "job.*");
        Assert.Equal(["job.queued", "job.started", "job.step", "job.step", "job.step", "job.step", "job.succeeded"], events.Select(e => e.Type));
        Assert.All(events, e => Assert.Equal($"job:{job.Id}", e.Subject));
        Assert.All(events, e => Assert.Equal("admin", e.User));
        Assert.Equal("power_cycle", events[^1].Data.GetProperty("action").GetString());
        Assert.Equal(machine.HardwareName, events[^1].Data.GetProperty("machine").GetString());
        // Each step as it started and ended, with the job's machine for the filters.
        Assert.Equal([("power_off", "running"), ("power_off", "succeeded"), ("power_on", "running"), ("power_on", "succeeded")],
            events[2..6].Select(e => (e.Data.GetProperty("step").GetString(), e.Data.GetProperty("status").GetString())));
        Assert.All(events[2..6], e => Assert.Equal(machine.Id, e.MachineId));
        Assert.StartsWith($"Job {job.Id} (power_cycle) step power_on succeeded: powered on", events[5].Summary);
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.Id < p.Second.Id));

        await Admin.TransitionAsync(machine.HardwareName, "fail", "cable pulled", timeout.Token);
        var moved = Assert.Single(await ForMachineAsync(machine.Id, 1, timeout.Token, "machine.state_changed"));
        Assert.Equal(("new", "broken", "cable pulled"),
            (moved.Data.GetProperty("from").GetString(), moved.Data.GetProperty("to").GetString(), moved.Data.GetProperty("reason").GetString()));
    }

    [Fact]
    public async Task ABatch_IsAcceptedThenCompleted_Once_WithItsCounts()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var a = (await fleet.MachineAsync()).Machine;
        var b = (await fleet.MachineAsync()).Machine;
        var batch = await Admin.SubmitBatchAsync(new BatchSubmit(JobActions.PowerOn, [a.HardwareName, b.HardwareName]), ct: timeout.Token);
        List<EventView> events;
        while ((events = [.. (await Admin.ListEventsAsync(new EventQuery(Batch: batch.Id), timeout.Token)).Items]).All(e => e.Type != "batch.completed"))
            await Task.Delay(50, timeout.Token);
        Assert.Equal("batch.accepted", events[0].Type);
        Assert.Equal(2, events[0].Data.GetProperty("hosts").GetInt32());
        var completed = Assert.Single(events, e => e.Type == "batch.completed");
        Assert.Equal(("succeeded", 2), (completed.Data.GetProperty("status").GetString(), completed.Data.GetProperty("succeeded").GetInt32()));
        Assert.Equal(2, events.Count(e => e.Type == "job.succeeded"));
        Assert.DoesNotContain(events, e => e.Type == "job.queued"); // the batch says it once
        Assert.Equal("batch.completed", events[^1].Type);
    }

    /// <summary>Two last jobs ending together may each see the other open and leave the batch to the sweep: a batch
    /// done but not completed (as they would leave it) is completed by the sweep, once.</summary>
    [Fact]
    public async Task ABatchLeftDoneButNotCompleted_IsCompletedByTheSweep_Once()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var a = (await fleet.MachineAsync()).Machine;
        var batch = await Admin.SubmitBatchAsync(new BatchSubmit(JobActions.PowerOn, [a.HardwareName]), ct: timeout.Token);
        while ((await Admin.GetBatchAsync(batch.Id, timeout.Token)).EndedAt is null) await Task.Delay(50, timeout.Token);
        var db = fleet.Server.Services.GetRequiredService<Ingot.Server.Data.Database>();
        var sweep = fleet.Server.Services.GetRequiredService<Ingot.Server.Jobs.BatchCompletion>();
        while ((await Admin.ListEventsAsync(new EventQuery(Types: "batch.completed", Batch: batch.Id), timeout.Token)).Items.Count == 0)
            await Task.Delay(50, timeout.Token);
        await db.InTransactionAsync(async c =>
        {
            await c.ExecuteAsync("DELETE FROM events WHERE batch_id = @id AND type = 'batch.completed'", new { id = batch.Id });
            return await c.ExecuteAsync("UPDATE batches SET completed_at = NULL WHERE id = @id", new { id = batch.Id });
        }, timeout.Token);

        await sweep.RunOnceAsync(timeout.Token);
        await sweep.RunOnceAsync(timeout.Token);

        List<EventView> completed;
        while ((completed = [.. (await Admin.ListEventsAsync(new EventQuery(Types: "batch.completed", Batch: batch.Id), timeout.Token)).Items]).Count == 0)
            await Task.Delay(50, timeout.Token);
        Assert.Equal(1, Assert.Single(completed).Data.GetProperty("succeeded").GetInt32());
    }

    [Fact]
    public async Task TheStream_SendsWhatHappensFromNow_AndResumesAfterLastEventId()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (machine, _) = await fleet.MachineAsync();
        using var http = fleet.Server.Http(fleet.Server.AdminToken);
        const string lifecycle = "type=job.queued,job.started,job.succeeded";
        using var stream = new StreamReader(await OpenAsync(http, $"api/v1/events/stream?machine={machine.Id}&{lifecycle}", null, timeout.Token));
        Assert.Equal("retry: 2000", await stream.ReadLineAsync(timeout.Token));
        var job = await fleet.RunAsync(machine, JobActions.PowerOn);
        var seen = new List<(string Id, string Type)>();
        while (seen.Count < 3)
        {
            var frame = await FrameAsync(stream, timeout.Token);
            seen.Add((frame["id"], frame["event"]));
        }
        Assert.Equal(["job.queued", "job.started", "job.succeeded"], seen.Select(s => s.Type));

        // Resumed after the first: the other two again, and nothing before.
        using var again = new StreamReader(await OpenAsync(http, $"api/v1/events/stream?machine={machine.Id}&{lifecycle}", seen[0].Id, timeout.Token));
        await again.ReadLineAsync(timeout.Token);
        Assert.Equal(seen[1].Id, (await FrameAsync(again, timeout.Token))["id"]);
        Assert.Equal(seen[2].Id, (await FrameAsync(again, timeout.Token))["id"]);
        Assert.Equal(JobStatus.Succeeded, job.Status);
    }

    [Fact]
    public async Task TheClient_FollowsTheStream()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (machine, _) = await fleet.MachineAsync();
        var received = new List<EventView>();
        var reading = Task.Run(async () =>
        {
            await foreach (var e in Admin.StreamEventsAsync(new EventQuery(Types: "job.succeeded,job.failed", Machine: machine.Id), timeout.Token))
            {
                received.Add(e);
                if (received.Count == 2) return;
            }
        });
        await Task.Delay(300, timeout.Token); // the stream starts at the head: open it first
        await fleet.RunAsync(machine, JobActions.PowerOff);
        await fleet.RunAsync(machine, JobActions.PowerOn);
        await reading.WaitAsync(timeout.Token);
        Assert.Equal(["power_off", "power_on"], received.Select(e => e.Data.GetProperty("action").GetString()));
    }

    /// <summary>PostgreSQL takes an event's id when it is inserted, not when it commits: an event of a long transaction
    /// has a smaller id than events committed after it. A reader that went past them must still get it when it commits.
    /// (SQLite's one writer commits in id order; a transaction held open there would stop every other write.)</summary>
    [Fact]
    public async Task AnEventCommittedAfterLaterIds_IsStillStreamed_NotSkipped()
    {
        if (!TestDatabase.IsPostgres) return;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (machine, _) = await fleet.MachineAsync();
        var received = new List<EventView>();
        var subject = $"machine:{machine.Id}";
        var reading = Task.Run(async () =>
        {
            await foreach (var e in Admin.StreamEventsAsync(new EventQuery("machine.*,job.queued,job.started,job.succeeded", Machine: machine.Id), timeout.Token))
            {
                received.Add(e);
                if (received.Count == 4) return;
            }
        });
        await Task.Delay(300, timeout.Token);
        var db = fleet.Server.Services.GetRequiredService<Ingot.Server.Data.Database>();
        var hold = new TaskCompletionSource();
        var inserted = new TaskCompletionSource();
        var held = db.InTransactionAsync(async c =>
        {
            await Ingot.Server.Data.Events.WriteAsync(c, "machine.state_changed", subject, new { held = true }, DateTimeOffset.UtcNow,
                new Ingot.Server.Data.EventAbout(MachineId: machine.Id));
            inserted.TrySetResult();
            await hold.Task;
            return 0;
        }, timeout.Token);
        await inserted.Task.WaitAsync(timeout.Token);
        await fleet.RunAsync(machine, JobActions.PowerOn); // three events with larger ids, committed first
        await Task.Delay(500, timeout.Token);
        Assert.Empty(received); // held back behind the open transaction, not sent past it
        hold.SetResult();
        await held;
        await reading.WaitAsync(timeout.Token);
        // The held event first (its transaction is the oldest), then the job's: every one of them, once.
        Assert.Equal(["machine.state_changed", "job.queued", "job.started", "job.succeeded"], received.Select(e => e.Type));
    }

    /// <summary>Anyone signed in may subscribe a URL; without an admin's INGOT_DELIVERY_ALLOW_NETWORKS the server does not
    /// POST to its own loopback (or link-local) addresses, whatever the URL names.</summary>
    [Fact]
    public async Task AWebhookToTheServersOwnLoopback_IsRefused_AndTheReceiverGetsNothing()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var hits = 0;
        var (web, url) = await LoopbackWeb.StartAsync(app => app.MapPost("/hook", () => { Interlocked.Increment(ref hits); return Results.Ok(); }));
        await using var stopWeb = web;
        var (machine, _) = await fleet.MachineAsync();
        var sub = await Admin.CreateSubscriptionAsync(new SubscriptionCreate("inside", "webhook", new Uri(url, "hook").ToString(), ["job.*"],
            Filter: new SubscriptionFilter(Machine: machine.Id)), timeout.Token);
        await fleet.RunAsync(machine, JobActions.PowerOn);
        IReadOnlyList<DeliveryView> log;
        while ((log = (await Admin.ListDeliveriesAsync(sub.Id, ct: timeout.Token)).Items).Count == 0) await Task.Delay(50, timeout.Token);
        Assert.Equal("failed", log[^1].Outcome);
        Assert.Contains("deliveries do not go to 127.0.0.1", log[^1].Error);
        Assert.Equal(0, hits);
    }

    [Fact]
    public async Task BadFilters_AreRefusedByName()
    {
        using var http = fleet.Server.Http(fleet.Server.AdminToken);
        var problem = await (await http.GetAsync("api/v1/events?type=job.faild,batch.*&machine=x&colour=red")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        var errors = problem.Errors!;
        Assert.Contains("job.faild", errors["type"][0]);
        Assert.Contains("job.failed", errors["type"][0]); // the list of real ones
        Assert.True(errors.ContainsKey("machine") && errors.ContainsKey("colour"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/events/stream");
        request.Headers.Add("Last-Event-ID", "seven");
        Assert.True((await (await http.SendAsync(request)).ProblemAsync(HttpStatusCode.UnprocessableEntity)).Errors!.ContainsKey("Last-Event-ID"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await new HttpClient { BaseAddress = fleet.Server.Url }.GetAsync("api/v1/events/stream")).StatusCode);
    }

    private static async Task<Stream> OpenAsync(HttpClient http, string path, string? lastEventId, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStreamAsync(ct);
    }

    /// <summary>The next event's fields (id, event, data), skipping blank and comment lines.</summary>
    private static async Task<Dictionary<string, string>> FrameAsync(StreamReader reader, CancellationToken ct)
    {
        var fields = new Dictionary<string, string>();
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0) { if (fields.Count > 0) return fields; continue; }
            if (line.StartsWith(':')) continue;
            var colon = line.IndexOf(':');
            fields[line[..colon]] = line[(colon + 1)..].TrimStart();
        }
        throw new EndOfStreamException("the stream ended");
    }
}
