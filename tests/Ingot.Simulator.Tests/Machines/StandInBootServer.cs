using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Ingot.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ingot.Simulator.Tests.Machines;

/// <summary>A boot service that follows docs/boot.md and nothing more, standing in for the real server's
/// until an end-to-end test can use that: scripts per MAC, one-time boot tokens, the events and discovery
/// reports it accepted, and every request it saw.</summary>
public sealed class StandInBootServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, Plan> plans = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Grant> tokens = new(StringComparer.Ordinal);

    /// <summary>What the server decided a MAC boots: the INTENT word, and for install its image and job.</summary>
    public sealed record Plan(string Mode, string? Image = null, long? Job = null);

    /// <summary>A boot token handed out in a script: whose, for what, and whether a terminal event spent it.</summary>
    public sealed record Grant(string Mac, string Mode, long? Job)
    {
        public bool Spent { get; set; }
    }

    public sealed record Seen(string Method, string Path, string Query, string? Authorization);
    public sealed record PostedEvent(string Mac, long? Job, string Token, BootEvent Event);
    public sealed record PostedReport(string Mac, string Token, DiscoveryReport Report);

    public ConcurrentQueue<Seen> Requests { get; } = new();
    public ConcurrentQueue<PostedEvent> Events { get; } = new();
    public ConcurrentQueue<PostedReport> Reports { get; } = new();

    /// <summary>Answers every /boot/events post with 403, as for an expired token.</summary>
    public bool RefuseEvents { get; set; }

    /// <summary>How many script requests to answer 503 before serving (a server restarting).</summary>
    public int UnavailableScripts;

    /// <summary>How many /boot/events posts to answer 503 before accepting any (a server restarting mid-install).</summary>
    public int UnavailableEvents;

    public Uri Url { get; private set; } = null!;

    private StandInBootServer(WebApplication app) => this.app = app;

    public static async Task<StandInBootServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new StandInBootServer(app);
        server.Map(app);
        await app.StartAsync();
        server.Url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/");
        return server;
    }

    public void PlanFor(string mac, Plan plan) => plans[mac] = plan;

    /// <summary>The token handed to <paramref name="mac"/> in its last script.</summary>
    public string TokenOf(string mac) => tokens.Last(t => t.Value.Mac.Equals(mac, StringComparison.OrdinalIgnoreCase)).Key;

    private void Map(WebApplication web)
    {
        web.Use(async (http, next) =>
        {
            Requests.Enqueue(new Seen(http.Request.Method, http.Request.Path, http.Request.QueryString.Value ?? "", http.Request.Headers.Authorization.FirstOrDefault()));
            await next(http);
        });
        web.MapGet("/boot/ipxe", (HttpContext http) =>
        {
            if (Interlocked.Decrement(ref UnavailableScripts) >= 0) return Results.StatusCode(503);
            var mac = http.Request.Query["mac"].ToString();
            var efi = http.Request.Query["platform"] == "efi";
            return Results.Text(Script(mac, efi), "text/plain");
        });
        web.MapPost("/boot/events", async (HttpContext http) =>
        {
            var body = await JsonSerializer.DeserializeAsync<BootEvent>(http.Request.Body, IngotJson.Options);
            if (Interlocked.Decrement(ref UnavailableEvents) >= 0) return Results.StatusCode(503);
            if (RefuseEvents || Bearer(http) is not { } token || !tokens.TryGetValue(token, out var grant) || grant.Spent || grant.Mode == "discover")
                return Results.StatusCode(403);
            if (body?.Event is not ("started" or "progress" or "finished" or "failed")) return Results.BadRequest();
            if (body.Event is "finished" or "failed") grant.Spent = true;
            Events.Enqueue(new PostedEvent(grant.Mac, grant.Job, token, body));
            return Results.NoContent();
        });
        web.MapPost("/boot/discovery", async (HttpContext http) =>
        {
            var report = await JsonSerializer.DeserializeAsync<DiscoveryReport>(http.Request.Body, IngotJson.Options);
            if (Bearer(http) is not { } token || !tokens.TryGetValue(token, out var grant) || grant.Mode != "discover")
                return Results.StatusCode(403);
            Reports.Enqueue(new PostedReport(grant.Mac, token, report!));
            return Results.Created("/api/v1/machines/x", new { created = true });
        });
    }

    /// <summary>The per-machine script of docs/boot.md's table; an unknown MAC is discovered.</summary>
    private string Script(string mac, bool efi)
    {
        var plan = plans.GetValueOrDefault(mac) ?? new Plan("discover");
        if (plan.Mode == "local")
            return "#!ipxe\n# ingot: local (in use)\n" + (efi ? "exit\n" : "sanboot --no-describe --drive 0x80\n");
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        tokens[token] = new Grant(mac, plan.Mode, plan.Job);
        var (intent, image) = plan.Mode switch
        {
            "install" => ($"install {plan.Image} job {plan.Job}", plan.Image),
            "wipe" => ($"wipe job {plan.Job}", "wipe"),
            _ => ("discover", "discovery"),
        };
        return $"""
            #!ipxe
            # ingot: {intent}
            kernel http://images.example/{image}/vmlinuz console=ttyS0 ingot.mode={plan.Mode} ingot.server={Url.ToString().TrimEnd('/')} ingot.token={token} ingot.mac={mac}
            initrd http://images.example/{image}/initrd.img
            boot

            """;
    }

    private static string? Bearer(HttpContext http) =>
        http.Request.Headers.Authorization.FirstOrDefault() is { } value && value.StartsWith("Bearer ", StringComparison.Ordinal) ? value["Bearer ".Length..] : null;

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
