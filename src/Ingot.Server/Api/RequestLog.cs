using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ingot.Server.Api;

/// <summary>One log line per request once it is answered: method, path, status, duration and who asked (category
/// Ingot.Requests; with INGOT_LOG_FORMAT=json each field is its own JSON property). The path is logged without its
/// query string and no header is logged, so no token reaches a log. Health checks and scrapes are logged at Debug.</summary>
public static partial class RequestLog
{
    public static void UseRequestLog(this IApplicationBuilder app)
    {
        var log = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Ingot.Requests");
        app.Use(async (context, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                var path = context.Request.Path.Value ?? "/";
                var user = context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name ?? "?" : "-";
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                var status = context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted ? 499 : context.Response.StatusCode;
                if (path is "/healthz" or "/readyz" or "/metrics") LogQuiet(log, context.Request.Method, path, status, ms, user);
                else LogRequest(log, context.Request.Method, path, status, ms, user);
            }
        });
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Method} {Path} {Status} {DurationMs:0.0} ms {User}")]
    private static partial void LogRequest(ILogger logger, string method, string path, int status, double durationMs, string user);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "{Method} {Path} {Status} {DurationMs:0.0} ms {User}")]
    private static partial void LogQuiet(ILogger logger, string method, string path, int status, double durationMs, string user);
}
