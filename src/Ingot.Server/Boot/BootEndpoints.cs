using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Api;
using Ingot.Server.Inventory;
using Ingot.Server.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Ingot.Server.Boot;

/// <summary>/boot: what iPXE and the images call (docs/boot.md). No API token here — iPXE has none — so these endpoints
/// reveal only scripts, and every change they cause needs a boot token that a script handed out.</summary>
public static partial class BootEndpoints
{
    private const string Ipxe = "text/plain; charset=utf-8";
    private static readonly string[] Events = ["started", "progress", "finished", "failed"];
    private const int MaxLog = 8192;

    public static void MapBoot(this IEndpointRouteBuilder app)
    {
        var boot = app.MapGroup("/boot").AllowAnonymous().WithTags("Boot");
        boot.MapGet("/boot.ipxe", (HttpContext http) => Results.Text(IpxeScripts.Bootstrap(Server(http)), Ipxe));
        boot.MapGet("/ipxe", ScriptAsync);
        boot.MapPost("/events", EventAsync);
        boot.MapPost("/discovery", BootDiscovery.ReportAsync);
    }

    /// <summary>POST /api/v1/discovery was a second discovery door that took any API token (issue 10 closed it): a report
    /// is the discovery image's, and its door is /boot/discovery with the boot token its script carried.</summary>
    public static void MapRetiredDiscovery(this RouteGroupBuilder api) =>
        api.MapPost("/discovery", () =>
        {
            throw new GoneException("POST /api/v1/discovery is gone: discovery images report to POST /boot/discovery with the boot token " +
                                    "their script carried; operators add machines with POST /api/v1/machines or a CSV import (docs/api-changes.md).");
        }).ExcludeFromDescription();

    /// <summary>The boot token an image sends as <c>Authorization: Bearer …</c>.</summary>
    public static string? BearerToken(HttpContext http) =>
        http.Request.Headers.Authorization.FirstOrDefault() is { } header && header.StartsWith("Bearer ", StringComparison.Ordinal)
            ? header["Bearer ".Length..].Trim() : null;

    /// <summary>The address the machine reached us on is the one its images can call back.</summary>
    private static string Server(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}";

    private static async Task<IResult> ScriptAsync(HttpContext http, Database db, TimeProvider clock, ILoggerFactory logs, CancellationToken ct)
    {
        var query = http.Request.Query;
        var mac = Names.Mac(query["mac"].FirstOrDefault())
                  ?? throw new ValidationException("mac", $"'{query["mac"].FirstOrDefault()}' is not a MAC address; iPXE sends ${{net0/mac}}.");
        // iPXE's ${platform}; a chain URL without it (an older bootstrap script) renders the BIOS form and learns nothing.
        var platform = query["platform"].FirstOrDefault()?.ToLowerInvariant();
        if (platform is not (null or "efi" or "pcbios")) throw new ValidationException("platform", $"'{platform}' is not efi or pcbios.");
        // A plain connection, not a writer's turn: most boots only read (local disk); the few that issue a token or
        // report a changed boot mode write one row, and on SQLite wait for the lock like any other single write.
        await using var c = await db.OpenAsync(ct);
        var answer = await BootDecision.ScriptAsync(c, mac, platform == "efi",
            platform is null ? null : BootModes.FromPlatform(platform == "efi"), Server(http), clock.GetUtcNow());
        if (answer.Warning is { } warning) LogBootWarning(logs.CreateLogger("Ingot.Boot"), warning, http.Connection.RemoteIpAddress?.ToString() ?? "?");
        return Results.Text(answer.Script, Ipxe);
    }

    /// <summary>An image's callback. Bound to its token's job attempt: an event of an attempt that is over, or of an ended
    /// job, is refused; one the attempt has already recorded is acknowledged and changes nothing (docs/boot.md).</summary>
    private static async Task<IResult> EventAsync(BootEvent? body, HttpContext http, Database db, JobSubmission jobs, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var kind = v.Required("event", body?.Event)?.ToLowerInvariant();
        if (kind is not null && !Events.Contains(kind)) v.Add("event", $"'{kind}' is not an event: {string.Join(", ", Events)}.");
        v.Range("percent", body?.Percent, 0, 100);
        v.ThrowIfInvalid();
        var token = BearerToken(http);
        var woke = await db.InTransactionAsync(async c =>
        {
            var now = clock.GetUtcNow();
            var bound = await BootTokens.KnownAsync(c, token, now);
            if (bound is not { JobId: { } jobId, Attempt: { } attempt })
                throw new ForbiddenException("This boot token is unknown, expired, or not one that reports events.");
            var log = body!.Log is { Length: > MaxLog } full ? full[^MaxLog..] : body.Log;
            var outcome = await JobEventRow.RecordAsync(c, jobId, attempt, kind!, body, log, spent: bound.UsedAt is not null, now);
            switch (outcome)
            {
                case EventRecord.OtherAttempt:
                    throw new ForbiddenException($"This boot token belongs to attempt {attempt} of job {jobId}, which is over: the job has moved on to another attempt, with a token of its own.");
                case EventRecord.JobEnded:
                    throw new ForbiddenException($"This boot token belongs to job {jobId}, which has ended.");
                case EventRecord.Spent:
                    throw new ForbiddenException($"This boot token was spent by the terminal event of attempt {attempt} of job {jobId}; it reports nothing more.");
            }
            // The first 'finished' or 'failed' spends the token: the attempt has nothing more to say.
            if (outcome is EventRecord.Recorded or EventRecord.Woke && kind is ("finished" or "failed")) await BootTokens.SpendAsync(c, bound.TokenHash, now);
            return outcome == EventRecord.Woke;
        }, ct);
        if (woke) jobs.WakeWorkers();
        return Results.NoContent();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Warning} (asked by {Remote})")]
    private static partial void LogBootWarning(ILogger log, string warning, string remote);
}
