using Ingot.Server.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ingot.Server.SelfService;

/// <summary>Records every mutating API request — who, what, on which target, with what outcome — after
/// it has been answered, including refused ones (a 401 or 403 on a write is worth knowing about).</summary>
public static class Audit
{
    /// <summary>Must be the outermost middleware after routing: the status it records is then the one the
    /// client got, after the problem handlers have turned exceptions into 4xx answers and after
    /// authentication and authorisation have refused a request.</summary>
    public static void UseAudit(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (!IsMutation(context.Request))
        {
            await next(context);
            return;
        }
        // Read before the request runs: the exception handler clears the endpoint and the route values
        // when it answers an error, and refused requests are the ones most worth recording.
        var action = Action(context);
        var target = Target(context);
        try
        {
            await next(context);
        }
        finally
        {
            await RecordAsync(context, action, target);
        }
    });

    /// <summary>Deletes audit records made before <paramref name="before"/> (issue 11 B.4: they were kept for ever).</summary>
    public static Task<long> PruneAsync(Database db, DateTimeOffset before, int batch, CancellationToken ct) =>
        Pruning.DeleteInBatchesAsync(db,
            "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < @before ORDER BY id LIMIT @batch)", before, batch, ct);

    private const string ActorKey = "ingot.audit.actor", TargetKey = "ingot.audit.target";

    /// <summary>Names who acted and on what, for a door without a signed-in user (the discovery image acts by its boot
    /// token, which names its MAC) or whose target is not in its route.</summary>
    public static void Name(HttpContext context, string actor, string? target)
    {
        context.Items[ActorKey] = actor;
        context.Items[TargetKey] = target;
    }

    // Discovery is the one unauthenticated door that writes inventory (issue 11 B.2); installer events are a job's
    // progress, recorded with the job.
    private static bool IsMutation(HttpRequest request) =>
        (request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/boot/discovery")) && !HttpMethods.IsGet(request.Method)
        && !HttpMethods.IsHead(request.Method) && !HttpMethods.IsOptions(request.Method);

    private static string Action(HttpContext context)
    {
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? "";
        // A group's root route ("/api/v1/teams" + "") keeps a trailing slash in its raw text.
        // Route constraints ("{id:long}") are plumbing, not part of what the caller did.
        return $"{context.Request.Method} /{System.Text.RegularExpressions.Regex.Replace(route.Trim('/'), ":[^}]+}", "}")}";
    }

    private static string? Target(HttpContext context)
    {
        var values = context.Request.RouteValues;
        return values.TryGetValue("id", out var id) ? id?.ToString()
            : values.TryGetValue("name", out var name) ? name?.ToString() : null;
    }

    private static async Task RecordAsync(HttpContext context, string action, string? target)
    {
        var services = context.RequestServices;
        try
        {
            var status = context.Response.StatusCode;
            var record = new
            {
                at = services.GetRequiredService<TimeProvider>().GetUtcNow(),
                actor = context.Items[ActorKey] as string ?? (context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name : "anonymous"),
                action,
                target = context.Items.TryGetValue(TargetKey, out var named) ? named as string : target,
                status,
                outcome = context.Items[Api.Problems.OutcomeKey] as string
                          ?? (status < 400 ? "succeeded" : status is 401 or 403 ? "denied" : status < 500 ? "rejected" : "failed"),
                token = context.User.FindFirst(Api.Caller.TokenClaim)?.Value,
                // Why a request was refused is what a reader of the log looks for; a success needs no reason.
                // Capped: a refused batch of thousands of hosts names them all in its answer, the log needs the start.
                reason = status >= 400 && context.Items[Api.Problems.DetailKey] is string detail
                    ? detail.Length > 1000 ? detail[..1000] + "…" : detail : null,
            };
            // A write like any other: on SQLite it shares a group commit with the writes queued beside it, instead of
            // paying an fsync of its own after waiting in SQLite's busy handler (most of a batch's time before). Never
            // cancelled: not by a caller that hung up after its change, nor by the node stopping (its requests' tokens fire
            // then) — a change that committed keeps its audit record.
            await services.GetRequiredService<Database>().WriteAsync(c => c.ExecuteAsync(
                "INSERT INTO audit_log (at, actor, action, target, status, outcome, token, reason) VALUES (@at, @actor, @action, @target, @status, @outcome, @token, @reason)",
                record), CancellationToken.None);
        }
        catch (Exception e)
        {
            // The request has been answered; a failed audit write must not turn it into an error, but it is logged.
            services.GetRequiredService<ILoggerFactory>().CreateLogger("Ingot.Audit")
                .LogError(e, "Could not write the audit record for {Method} {Path}", context.Request.Method, context.Request.Path);
        }
    }
}
