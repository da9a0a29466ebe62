using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ingot.Server.Api;

/// <summary>Turns every failure into RFC 9457 problem details: our own <see cref="IngotException"/>s, the
/// framework's bad-request errors (malformed JSON, wrong types, bad route values), unknown routes, and,
/// as a last resort, unexpected errors (500, logged, with no internals in the body).</summary>
public static class Problems
{
    public const string TypeBase = "https://ingot.dev/problems/";

    public static void UseIngotProblems(this IApplicationBuilder app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // ASP.NET would log every exception as unhandled, with its stack trace: refusals (4xx: bad input, a conflict, an
            // overlapping batch) are answers, not faults, and would bury the real errors — which the handler below logs.
            SuppressDiagnosticsCallback = _ => true,
            ExceptionHandler = async context =>
            {
                var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
                var problem = FromException(error, context, out var status);
                if (status >= 500)
                    context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Ingot.Problems")
                        .LogError(error, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
                await WriteAsync(context, status, problem);
            },
        });
        // Status codes produced without a body (unknown route 404, 405, 415 …) still get a problem document.
        app.UseStatusCodePages(async status =>
        {
            var context = status.HttpContext;
            var code = context.Response.StatusCode;
            await WriteAsync(context, code, Build(code, Slug(code), Title(code),
                code switch
                {
                    404 => $"No resource at {context.Request.Path}.",
                    405 => $"{context.Request.Method} is not allowed on {context.Request.Path}.",
                    // The CSV import answers its own 415; every other body is JSON.
                    415 => $"Unsupported content type '{context.Request.ContentType}'; send application/json.",
                    _ => $"HTTP {code}.",
                }, context));
        });
    }

    public static Dictionary<string, object?> Build(int status, string slug, string title, string detail, HttpContext context) => new()
    {
        ["type"] = TypeBase + slug,
        ["title"] = title,
        ["status"] = status,
        ["detail"] = detail,
        ["instance"] = context.Request.Path.Value,
    };

    /// <summary>A problem of a status's own type and title, outside a request the app handles (Kestrel's rejections).</summary>
    public static Dictionary<string, object?> Build(int status, string detail, string? instance)
    {
        var problem = new Dictionary<string, object?> { ["type"] = TypeBase + Slug(status), ["title"] = Title(status), ["status"] = status, ["detail"] = detail };
        if (instance is not null) problem["instance"] = instance;
        return problem;
    }

    /// <summary>Where the detail of the problem a request was answered with is kept for the audit record, and the
    /// outcome the refusal asked to be recorded with (<see cref="IngotException.AuditOutcome"/>).</summary>
    public const string DetailKey = "ingot.problem.detail", OutcomeKey = "ingot.problem.outcome";

    public static Task WriteAsync(HttpContext context, int status, Dictionary<string, object?> problem)
    {
        if (context.Response.HasStarted) return Task.CompletedTask;
        context.Items[DetailKey] = problem.GetValueOrDefault("detail") as string;
        context.Response.Clear();
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(problem, Client.IngotJson.Options));
    }

    private static Dictionary<string, object?> FromException(Exception? error, HttpContext context, out int status)
    {
        switch (error)
        {
            case IngotException ingot:
                status = ingot.Status;
                context.Items[OutcomeKey] = ingot.AuditOutcome;
                var problem = Build(status, ingot.Slug, ingot.Title, ingot.Message, context);
                if (ingot.Errors is not null) problem["errors"] = ingot.Errors;
                foreach (var (key, value) in ingot.Extensions) problem[key] = value;
                return problem;
            // A NUL that got past the doors (a CSV cell, a job's params): PostgreSQL's "invalid byte sequence" for 0x00.
            case System.Data.Common.DbException { SqlState: "22021" }:
                return NulProblem(context, out status);
            case BadHttpRequestException bad:
                status = bad.StatusCode;
                return Build(status, Slug(status), Title(status), Describe(bad), context);
            case JsonException json:
                status = 400;
                return Build(400, "malformed-json", "Malformed JSON", DescribeJson(json), context);
            default:
                status = 500;
                return Build(500, "internal", "Internal error",
                    "The server failed unexpectedly; the error is in its log. Retrying may help.", context);
        }
    }

    /// <summary>Which field held it is not known here (the doors name it; see TextDoor): the body as a whole.</summary>
    private static Dictionary<string, object?> NulProblem(HttpContext context, out int status)
    {
        status = 422;
        var problem = Build(422, "validation", "Invalid request", $"body: {TextDoor.NulReason}", context);
        problem["errors"] = new Dictionary<string, string[]> { ["body"] = [TextDoor.NulReason] };
        return problem;
    }

    private static string Describe(BadHttpRequestException bad) => bad.InnerException switch
    {
        JsonException json => DescribeJson(json),
        _ => bad.Message,
    };

    private static string DescribeJson(JsonException json)
    {
        var where = json.Path is { Length: > 0 } path ? $" at {path}" : "";
        var line = json.LineNumber is { } l ? $" (line {l + 1}, byte {json.BytePositionInLine})" : "";
        var message = json.Message.Split(" Path:", 2)[0];
        return $"The request body is not valid JSON for this endpoint{where}{line}: {message}";
    }

    private static string Slug(int status) => status switch
    {
        400 => "bad-request", 401 => "unauthorized", 403 => "forbidden", 404 => "not-found",
        405 => "method-not-allowed", 408 => "request-timeout", 409 => "conflict", 411 => "length-required", 413 => "too-large",
        414 => "uri-too-long", 415 => "unsupported-media-type", 431 => "headers-too-large", 505 => "http-version-not-supported",
        _ => $"http-{status}",
    };

    private static string Title(int status) => status switch
    {
        400 => "Bad request", 401 => "Unauthorized", 403 => "Forbidden", 404 => "Not found",
        405 => "Method not allowed", 408 => "Request timeout", 409 => "Conflict", 411 => "Length required", 413 => "Request too large",
        414 => "URI too long", 415 => "Unsupported media type", 431 => "Request headers too large", 505 => "HTTP version not supported",
        _ => $"HTTP {status}",
    };
}
