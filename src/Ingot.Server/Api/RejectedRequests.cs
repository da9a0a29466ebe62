using System.Diagnostics;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using BadHttpRequestException = Microsoft.AspNetCore.Http.BadHttpRequestException;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Ingot.Server.Api;

/// <summary>Gives the answers Kestrel makes on its own a problem-details body, like every other error: a request it cannot
/// parse or will not take (a bad request line, target or header: 400; a request line over its limit: 414; headers over
/// theirs: 431; headers that never finish arriving: 408). Kestrel answers those before any middleware runs, with an empty
/// body, and has no hook to change them (aspnet/KestrelHttpServer#2947: "not customisable"). Raising its limits and
/// enforcing them in middleware would cover 414 and 431 up to the raised limit, never a malformed request line.
/// What Kestrel does offer: when it rejects a request it raises a diagnostic event, "…Kestrel.BadRequest", carrying the
/// request's features (the exception says what was wrong), and only then writes its answer, the last thing on that
/// connection. So the event arms the connection, and a connection middleware on every endpoint (after TLS,
/// <see cref="RejectionWriter"/>) replaces the empty answer with the same status and headers and a problem body.
/// HTTP/1 only: an HTTP/2 stream's rejection is a stream reset, which has no body to give.</summary>
public static class RejectedRequests
{
    private const string EventName = "Microsoft.AspNetCore.Server.Kestrel.BadRequest";

    /// <summary>What the event and the connection's writer share, kept in the connection's items.</summary>
    internal sealed class Connection
    {
        /// <summary>A request of this connection is in the app, which answers for itself (Problems).</summary>
        public volatile bool InApp;

        /// <summary>Set when Kestrel has rejected a request and is about to answer it: the body to answer with.</summary>
        public volatile byte[]? Problem;
    }

    /// <summary>The connection middleware: HTTP/1 connections get a writer that can replace Kestrel's empty answer.</summary>
    public static void UseRejectedRequestProblems(this ListenOptions listen) => listen.Use(next => async connection =>
    {
        if (connection.Features.Get<ITlsApplicationProtocolFeature>()?.ApplicationProtocol.Span.SequenceEqual("h2"u8) == true)
        {
            await next(connection);
            return;
        }
        var state = new Connection();
        connection.Items[typeof(Connection)] = state;
        var transport = connection.Transport;
        connection.Transport = new Duplex(transport.Input, new RejectionWriter(transport.Output, state));
        try { await next(connection); }
        finally { connection.Transport = transport; }
    });

    /// <summary>Listens for Kestrel's rejections, and marks the requests the app itself answers (first in the pipeline).</summary>
    public static void UseRejectedRequestProblems(this WebApplication app)
    {
        var limits = app.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;
        var subscription = app.Services.GetRequiredService<DiagnosticListener>()
            .Subscribe(new Observer(limits), (Predicate<string>)(name => name == EventName));
        app.Lifetime.ApplicationStopped.Register(subscription.Dispose);
        app.Use(async (context, next) =>
        {
            if (Of(context.Features.Get<IConnectionItemsFeature>()?.Items) is not { } state)
            {
                await next(context);
                return;
            }
            state.InApp = true;
            try { await next(context); }
            finally { state.InApp = false; }
        });
    }

    /// <summary>Kestrel quotes the offending text (the request line, the target, the header) in a rejection's message only
    /// when its log is enabled at Information, whatever logging the host has (tests and the demo have none). This logger
    /// enables it and writes nothing; the host's own loggers keep their levels.</summary>
    public static void AddRejectionDetails(this ILoggingBuilder logging)
    {
        logging.AddProvider(new Details());
        logging.AddFilter<Details>(KestrelCategory, LogLevel.Information);
    }

    private const string KestrelCategory = "Microsoft.AspNetCore.Server.Kestrel";

    private sealed class Details : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => categoryName.StartsWith(KestrelCategory, StringComparison.Ordinal) ? this : NullLogger.Instance;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) { }
        public void Dispose() { }
    }

    private static Connection? Of(IDictionary<object, object?>? items) =>
        items is not null && items.TryGetValue(typeof(Connection), out var state) ? state as Connection : null;

    /// <summary>The problem document for a rejection: what Kestrel said was wrong, and the limit when a limit was passed.</summary>
    internal static byte[] Describe(BadHttpRequestException rejection, KestrelServerLimits limits)
    {
        var status = rejection.StatusCode;
        var detail = status switch
        {
            414 => $"The request line (method, target and version) is longer than this server's {limits.MaxRequestLineSize} bytes; shorten the URL.",
            431 => $"The request headers exceed this server's limits ({limits.MaxRequestHeadersTotalSize} bytes in all, at most " +
                   $"{limits.MaxRequestHeaderCount} headers): {rejection.Message}",
            408 => $"The request headers did not all arrive within {limits.RequestHeadersTimeout.TotalSeconds:0.#} s.",
            _ => $"The request is not one this server can read: {rejection.Message}",
        };
        return JsonSerializer.SerializeToUtf8Bytes(Problems.Build(status, detail, instance: null), Client.IngotJson.Options);
    }

    /// <summary>Arms the connection of a rejected request whose answer Kestrel is about to write: not when the app has the
    /// request (it answers for itself), not once an answer has started (Kestrel then only closes), not for HEAD (no body).</summary>
    private sealed class Observer(KestrelServerLimits limits) : IObserver<KeyValuePair<string, object?>>
    {
        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (value.Value is not IFeatureCollection features
                || Of(features.Get<IConnectionItemsFeature>()?.Items) is not { InApp: false } state
                || features.Get<IHttpResponseFeature>() is not { HasStarted: false }
                || features.Get<IBadRequestExceptionFeature>()?.Error is not BadHttpRequestException rejection)
                return;
            var request = features.Get<IHttpRequestFeature>();
            if (request?.Protocol is "HTTP/2" or "HTTP/3" || HttpMethods.IsHead(request?.Method ?? "")) return;
            state.Problem = Describe(rejection, limits);
        }

        public void OnCompleted() { }

        public void OnError(Exception error) { }
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;
        public PipeWriter Output => output;
    }
}
