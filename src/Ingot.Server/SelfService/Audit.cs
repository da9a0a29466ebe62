using Dapper;
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
    public static void UseAudit(this WebApplication app) => app.Use(async (context, next) =>
    {
        try
        {
            await next(context);
        }
        finally
        {
            if (IsMutation(context.Request))
                await RecordAsync(context);
        }
    });

    private static bool IsMutation(HttpRequest request) =>
        request.Path.StartsWithSegments("/api") && !HttpMethods.IsGet(request.Method)
        && !HttpMethods.IsHead(request.Method) && !HttpMethods.IsOptions(request.Method);

    private static async Task RecordAsync(HttpContext context)
    {
        var services = context.RequestServices;
        try
        {
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value;
            var values = context.Request.RouteValues;
            var target = values.TryGetValue("id", out var id) ? id?.ToString()
                : values.TryGetValue("name", out var name) ? name?.ToString() : null;
            var status = context.Response.StatusCode;
            var db = services.GetRequiredService<Database>();
            await using var connection = await db.OpenAsync(CancellationToken.None);
            await connection.ExecuteAsync(
                "INSERT INTO audit_log (at, actor, action, target, status, outcome) VALUES (@at, @actor, @action, @target, @status, @outcome)",
                new
                {
                    at = services.GetRequiredService<TimeProvider>().GetUtcNow(),
                    actor = context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name : "anonymous",
                    action = $"{context.Request.Method} /{route?.TrimStart('/')}",
                    target,
                    status,
                    outcome = status < 400 ? "succeeded" : status is 401 or 403 ? "denied" : status < 500 ? "rejected" : "failed",
                });
        }
        catch (Exception e)
        {
            // The request has been answered; a failed audit write must not turn it into an error, but it is logged.
            services.GetRequiredService<ILoggerFactory>().CreateLogger("Ingot.Audit")
                .LogError(e, "Could not write the audit record for {Method} {Path}", context.Request.Method, context.Request.Path);
        }
    }
}
