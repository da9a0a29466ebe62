using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Ingot.Server.Tests.Infrastructure;

/// <summary>An "in use elsewhere" system on a loopback port, as a fleet's CMDB or scheduler would run it: each path is a
/// hook that answers as the test says (<see cref="Answer"/>), and every request it gets is kept, body and all.</summary>
public sealed class InUseHookServer : IAsyncDisposable
{
    private WebApplication app = null!;
    private readonly ConcurrentDictionary<string, Func<JsonDocument, HttpContext, Task<IResult>>> answers = new(StringComparer.Ordinal);


    public Uri Url { get; private set; } = null!;

    /// <summary>Every request, by path, in the order they came.</summary>
    public ConcurrentQueue<(string Path, JsonDocument Body)> Requests { get; } = new();

    public static async Task<InUseHookServer> StartAsync()
    {
        var server = new InUseHookServer();
        (server.app, server.Url) = await LoopbackWeb.StartAsync(app => app.MapPost("/{path}", async (string path, HttpContext http) =>
        {
            var body = await JsonDocument.ParseAsync(http.Request.Body, default, http.RequestAborted);
            server.Requests.Enqueue((path, body));
            return server.answers.TryGetValue(path, out var answer) ? await answer(body, http) : Results.NotFound();
        }));
        return server;
    }

    /// <summary>A hook at <paramref name="path"/> answering what <paramref name="answer"/> gives; returns its URL.</summary>
    public string Answer(string path, Func<JsonDocument, HttpContext, Task<IResult>> answer)
    {
        answers[path] = answer;
        return new Uri(Url, path).ToString();
    }

    /// <summary>A hook that names these machines (by any of their names) as in use, with the reason.</summary>
    public string InUse(string path, params (string Machine, string Reason)[] inUse) =>
        Answer(path, (_, _) => Task.FromResult(Results.Json(new { in_use = inUse.Select(m => new { machine = m.Machine, reason = m.Reason }) })));

    /// <summary>A hook that keeps the request waiting (until the caller gives up).</summary>
    public string Silent(string path) => Answer(path, async (_, http) =>
    {
        await Task.Delay(Timeout.Infinite, http.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        return Results.Empty;
    });

    public IReadOnlyList<JsonDocument> RequestsTo(string path) => [.. Requests.Where(r => r.Path == path).Select(r => r.Body)];

    /// <summary>A loopback URL where nothing listens: a port taken and let go, so a connection is refused.</summary>
    public static string Down()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}/in-use";
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
