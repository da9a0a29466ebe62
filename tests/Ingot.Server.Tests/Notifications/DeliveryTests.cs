using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ingot.Client;
using Ingot.Labs;
using Ingot.Server.Hosting;
using Ingot.Server.Notifications;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Server.Tests.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using MimeKit;

namespace Ingot.Server.Tests.Notifications;

/// <summary>A fleet server with quick delivery retries and a real SMTP server (aiosmtpd), and a real HTTP receiver
/// whose answers each test sets: 127.0.41.x.</summary>
public sealed class DeliveryFleet() : SimulatedFleetServer("127.0.41.1", 20)
{
    public SmtpServerProcess Smtp { get; private set; } = null!;
    public Receiver Receiver { get; } = new();

    protected override ServerSettings Configure(ServerSettings settings) => settings with
    {
        Notifications = settings.Notifications with
        {
            Poll = TimeSpan.FromMilliseconds(50), RetryFirst = TimeSpan.FromMilliseconds(100), RetryMax = TimeSpan.FromMilliseconds(300),
            MaxAttempts = 3, DeliveryTimeout = TimeSpan.FromSeconds(1), BreakerThreshold = 50,
            AllowNetworks = [System.Net.IPNetwork.Parse("127.0.0.0/8")], // the receivers listen on loopback
            // A small window of recent events: a subscription behind by more (its receiver down a while, or twenty
            // events at once) reads the database, so both ways of reading are delivered through here.
            FeedWindow = 8,
            Smtp = new SmtpOptions { Host = Smtp.Host, Port = Smtp.Port, From = "ingot@test.example" },
        },
    };

    public override async Task InitializeAsync()
    {
        Smtp = await SmtpServerProcess.StartAsync();
        await Receiver.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Receiver.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

/// <summary>A real HTTP server taking POST /{name}: each name answers as its test says (<see cref="Answer"/>) and keeps
/// what it took.</summary>
public sealed class Receiver : IAsyncDisposable
{
    public sealed record Request(IReadOnlyDictionary<string, string> Headers, string Body);

    private WebApplication app = null!;
    public Uri Url { get; private set; } = null!;
    public ConcurrentDictionary<string, ConcurrentQueue<Request>> Taken { get; } = new();
    /// <summary>Per name, given the request's number (1-based): the status to answer, after an optional delay.</summary>
    public ConcurrentDictionary<string, Func<int, (int Status, TimeSpan Delay)>> Answer { get; } = new();
    private readonly ConcurrentDictionary<string, int> counts = new();

    public async Task StartAsync() => (app, Url) = await LoopbackWeb.StartAsync(web => web.MapPost("/{name}", async (string name, HttpContext http) =>
    {
        var n = counts.AddOrUpdate(name, 1, (_, c) => c + 1);
        var (status, delay) = Answer.TryGetValue(name, out var answer) ? answer(n) : (200, TimeSpan.Zero);
        if (delay > TimeSpan.Zero) await Task.Delay(delay);
        var body = await new StreamReader(http.Request.Body).ReadToEndAsync();
        if (status is >= 200 and < 300) Taken.GetOrAdd(name, _ => new()).Enqueue(new Request(http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body));
        return Results.StatusCode(status);
    }));

    public int Requests(string name) => counts.GetValueOrDefault(name);

    public async Task<List<Request>> WaitForAsync(string name, int count, CancellationToken ct)
    {
        while (!Taken.TryGetValue(name, out var q) || q.Count < count) await Task.Delay(25, ct);
        return [.. Taken[name]];
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}

public sealed class DeliveryTests(DeliveryFleet fleet) : IClassFixture<DeliveryFleet>
{
    private IngotClient Admin => fleet.Server.Admin;

    /// <summary>A job's own events, without its steps' (job.step).</summary>
    private const string JobLifecycle = "job.queued,job.started,job.retrying,job.succeeded,job.failed,job.cancelled";

    private Task<SubscriptionView> HookAsync(string name, long machine, string types = JobLifecycle, string channel = "webhook") =>
        Admin.CreateSubscriptionAsync(new SubscriptionCreate(name, channel, new Uri(fleet.Receiver.Url, name).ToString(), [.. types.Split(',')],
            Filter: new SubscriptionFilter(Machine: machine)));

    [Fact]
    public async Task AWebhook_GetsEachEventOnce_InOrder_Signed()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (machine, _) = await fleet.MachineAsync();
        var sub = await HookAsync(Unique.Name("signed"), machine.Id);
        Assert.StartsWith("whsec_", sub.Secret);
        Assert.Null((await Admin.GetSubscriptionAsync(sub.Id, timeout.Token)).Secret); // shown once
        await fleet.RunAsync(machine, JobActions.PowerCycle);
        var taken = await fleet.Receiver.WaitForAsync(sub.Name, 3, timeout.Token);
        Assert.Equal(["job.queued", "job.started", "job.succeeded"], taken.Select(t => t.Headers["Ingot-Event-Type"]));
        foreach (var t in taken)
        {
            var timestamp = long.Parse(t.Headers["Ingot-Timestamp"], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(WebhookSignature.Sign(sub.Secret!, timestamp, t.Body), t.Headers["Ingot-Signature"]);
            Assert.NotEqual(WebhookSignature.Sign(sub.Secret! + "x", timestamp, t.Body), t.Headers["Ingot-Signature"]);
            var e = JsonSerializer.Deserialize<EventView>(t.Body, IngotJson.Options)!;
            Assert.Equal(t.Headers["Ingot-Event-Id"], e.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(machine.Id, e.MachineId);
        }
        await Task.Delay(300, timeout.Token);
        Assert.Equal(3, fleet.Receiver.Requests(sub.Name)); // none twice
        SubscriptionView view;
        while ((view = await Admin.GetSubscriptionAsync(sub.Id, timeout.Token)).Delivered < 3) await Task.Delay(50, timeout.Token);
        Assert.Equal((3L, 0L, 0), (view.Delivered, view.Dead, view.Attempts));
        var log = (await Admin.ListDeliveriesAsync(sub.Id, ct: timeout.Token)).Items;
        Assert.All(log, d => Assert.Equal(("delivered", 200), (d.Outcome, d.StatusCode)));
    }

    [Fact]
    public async Task AReceiverFailingForAWhile_GetsEveryEvent_AfterRetries_StillInOrder()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (machine, _) = await fleet.MachineAsync();
        var name = Unique.Name("flaky");
        fleet.Receiver.Answer[name] = n => n <= 2 ? (500, TimeSpan.Zero) : n == 3 ? (200, TimeSpan.FromSeconds(2)) : (200, TimeSpan.Zero);
        var sub = await HookAsync(name, machine.Id);
        await fleet.RunAsync(machine, JobActions.PowerOn);
        var taken = await fleet.Receiver.WaitForAsync(name, 2, timeout.Token);
        // 500, 500 (attempts 1 and 2 of the first event), then attempt 3 too slow: the first event is dead, the rest go.
        Assert.Equal(["job.started", "job.succeeded"], taken.Take(2).Select(t => t.Headers["Ingot-Event-Type"]));
        List<DeliveryView> log;
        while ((log = [.. (await Admin.ListDeliveriesAsync(sub.Id, ct: timeout.Token)).Items]).Count < 5) await Task.Delay(50, timeout.Token);
        log.Reverse();
        Assert.Equal(["failed", "failed", "dead", "delivered", "delivered"], log.Select(d => d.Outcome));
        Assert.Equal([500, 500], log.Take(2).Select(d => d.StatusCode!.Value));
        Assert.Contains("did not answer within 1 s", log[2].Error);
        var dead = Assert.Single((await Admin.ListDeliveriesAsync(sub.Id, "dead", ct: timeout.Token)).Items);
        Assert.Equal(log[0].EventId, dead.EventId);
        Assert.Equal(1, (await Admin.GetSubscriptionAsync(sub.Id, timeout.Token)).Dead);
    }

    [Fact]
    public async Task AReceiverThatIsDown_DeadLettersEachEvent_AndTheSubscriptionMovesOn()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (machine, _) = await fleet.MachineAsync();
        using var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop(); // nothing listens there now: connection refused
        var sub = await Admin.CreateSubscriptionAsync(new SubscriptionCreate("down", "webhook", $"http://127.0.0.1:{port}/hook", ["job.succeeded", "job.failed"],
            Filter: new SubscriptionFilter(Machine: machine.Id)), timeout.Token);
        await fleet.RunAsync(machine, JobActions.PowerOff);
        await fleet.RunAsync(machine, JobActions.PowerOn);
        SubscriptionView view;
        while ((view = await Admin.GetSubscriptionAsync(sub.Id, timeout.Token)).Dead < 2) await Task.Delay(50, timeout.Token);
        Assert.Equal(0, view.Delivered);
        Assert.Contains($"127.0.0.1:{port}", view.LastError);
        Assert.Equal(6, (await Admin.ListDeliveriesAsync(sub.Id, ct: timeout.Token)).Items.Count); // 3 attempts each
    }

    /// <summary>A webhook secret this node cannot open (a node started with another key than the one that sealed it, which
    /// a start now refuses, or a changed row) is a failure the subscription shows and retries, not a delivery that stalls
    /// without a word.</summary>
    [Fact]
    public async Task A_secret_the_node_cannot_open_is_a_failure_the_subscription_shows()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (machine, _) = await fleet.MachineAsync();
        var sub = await HookAsync(Unique.Name("sealed"), machine.Id);
        var db = (Ingot.Server.Data.Database)fleet.Server.Services.GetService(typeof(Ingot.Server.Data.Database))!;
        await db.InTransactionAsync(c => c.ExecuteAsync("UPDATE subscriptions SET secret = @bad WHERE id = @id", new { bad = new byte[40], id = sub.Id }),
            timeout.Token);
        await fleet.RunAsync(machine, JobActions.PowerOn);
        SubscriptionView seen;
        while ((seen = await Admin.GetSubscriptionAsync(sub.Id, timeout.Token)).LastError is null) await Task.Delay(50, timeout.Token);
        Assert.Contains("cannot open the webhook's signing secret", seen.LastError);
        Assert.NotNull(seen.RetryAt);
        Assert.Equal(0, seen.Delivered);
    }

    [Fact]
    public async Task Chat_GetsASentence()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (machine, _) = await fleet.MachineAsync();
        var sub = await HookAsync(Unique.Name("chat"), machine.Id, "job.succeeded", "chat");
        Assert.Null(sub.Secret);
        var job = await fleet.RunAsync(machine, JobActions.PowerOn);
        var taken = Assert.Single(await fleet.Receiver.WaitForAsync(sub.Name, 1, timeout.Token));
        Assert.Equal($"Job {job.Id} (power_on) on {machine.HardwareName} succeeded",
            JsonDocument.Parse(taken.Body).RootElement.GetProperty("text").GetString());
    }

    [Fact]
    public async Task EMail_ThroughARealSmtpServer_PlainAndHtml()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (machine, _) = await fleet.MachineAsync();
        var address = $"{Unique.Name("ops")}@example.com";
        await Admin.CreateSubscriptionAsync(new SubscriptionCreate("mail", "email", address, ["batch.accepted", "batch.completed"]), timeout.Token);
        var batch = await Admin.SubmitBatchAsync(new BatchSubmit(JobActions.PowerOn, [machine.HardwareName]), ct: timeout.Token);
        List<MimeMessage> mine;
        while ((mine = [.. fleet.Smtp.Messages.Select(m => MimeMessage.Load(new MemoryStream(m))).Where(m => m.To.ToString().Contains(address))]).Count < 2)
            await Task.Delay(50, timeout.Token);
        Assert.Equal($"[Ingot] Batch {batch.Id} (power_on) accepted: 1 host(s)", mine[0].Subject);
        Assert.Equal($"[Ingot] Batch {batch.Id} (power_on) succeeded: 1 succeeded, 0 failed, 0 cancelled", mine[1].Subject);
        Assert.Contains("batch.completed", mine[1].TextBody);
        Assert.Contains("<table>", mine[1].HtmlBody);
        Assert.Equal("ingot@test.example", mine[1].From.Mailboxes.Single().Address);
    }

    [Fact]
    public async Task WithoutTypes_ASubscriptionHearsOfItsOwnersBatches()
    {
        var sub = await Admin.CreateSubscriptionAsync(new SubscriptionCreate("defaults", "webhook", new Uri(fleet.Receiver.Url, Unique.Name("d")).ToString()));
        Assert.Equal(SubscriptionEndpoints.DefaultTypes, sub.Types);
        Assert.True(sub.Filter.Mine);
    }

    [Fact]
    public async Task BadSubscriptions_AreRefusedByField_AndOthersSubscriptionsAreNotSeen()
    {
        using var http = fleet.Server.Http(fleet.Server.AdminToken);
        var problem = await (await http.PostAsJsonAsync("api/v1/subscriptions",
                new { name = "", channel = "pigeon", target = "ftp://x", types = new[] { "job.exploded" } }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.True(problem.Errors!.ContainsKey("name") && problem.Errors.ContainsKey("channel") && problem.Errors.ContainsKey("types"));
        var url = await (await http.PostAsJsonAsync("api/v1/subscriptions", new { name = "x", channel = "webhook", target = "http://user:pw@127.0.0.1/x" }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("user name or password", url.Errors!["target"][0]);
        var mail = await (await http.PostAsJsonAsync("api/v1/subscriptions", new { name = "x", channel = "email", target = "a@b.c, d@e.f" }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("not one e-mail address", mail.Errors!["target"][0]);

        var mine = await Admin.CreateSubscriptionAsync(new SubscriptionCreate("admin's", "chat", new Uri(fleet.Receiver.Url, "x").ToString()));
        var user = Unique.Name("u");
        await Admin.CreateUserAsync(new UserCreate(user));
        var token = (await Admin.CreateTokenAsync(new TokenCreate("t", user))).Token;
        var other = fleet.Server.Client(token);
        Assert.Equal(404, (await Assert.ThrowsAsync<IngotApiException>(() => other.GetSubscriptionAsync(mine.Id))).Problem.Status);
        Assert.DoesNotContain((await other.ListSubscriptionsAsync()).Items, s => s.Id == mine.Id);
        Assert.Equal(404, (await Assert.ThrowsAsync<IngotApiException>(() => other.DeleteSubscriptionAsync(mine.Id))).Problem.Status);
        var team = await Assert.ThrowsAsync<IngotApiException>(() => other.CreateSubscriptionAsync(
            new SubscriptionCreate("theirs", "chat", new Uri(fleet.Receiver.Url, "x").ToString(), Team: "nosuchteam")));
        Assert.Equal(422, team.Problem.Status);
    }
}
