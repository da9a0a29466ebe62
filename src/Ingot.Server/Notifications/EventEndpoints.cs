using System.Globalization;
using System.Text;
using System.Text.Json;
using Ingot.Client;
using Ingot.Server.Api;
using Ingot.Server.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Ingot.Server.Notifications;

/// <summary>GET /api/v1/events (a page, oldest first after a cursor) and /events/stream (server-sent events, resumed from
/// Last-Event-ID): the outbox as any node serves it (docs/events.md).</summary>
public static class EventEndpoints
{
    public static void MapEvents(this RouteGroupBuilder api)
    {
        var events = api.MapGroup("/events").WithTags("Events");
        events.MapGet("", ListAsync);
        events.MapGet("/stream", StreamAsync).Produces(200, contentType: "text/event-stream");
    }

    private static readonly string[] Known = ["type", "subject", "machine", "batch", "team", "user", "since", "after", "limit"];

    /// <summary>How often an idle stream says it is alive (a comment line), so that proxies and clients keep it open.</summary>
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    private const int StreamPage = 500;

    private static async Task<Ok<Page<EventView>>> ListAsync(HttpContext http, Database db, EventCatalog catalog, CancellationToken ct)
    {
        var v = new Validation();
        var q = new QueryText(http.Request.Query, Known, "event", v);
        var filter = Filter(q, catalog);
        var limit = q.Int("limit", 1, 1000) ?? 100;
        await using var c = await db.OpenAsync(ct);
        var from = await StartAsync(c, q, null);
        v.ThrowIfInvalid();
        var rows = await EventLog.ReadAsync(c, filter, from ?? EventPosition.Start, limit + 1);
        return TypedResults.Ok(Keyset.Page(rows, limit, r => r.Id, r => r.View()));
    }

    private static EventFilter Filter(QueryText q, EventCatalog catalog) => new(
        EventFilter.Patterns(q.Text("type"), catalog, q.Validation, "type"), q.Text("subject"),
        q.Long("machine", "a machine id"), q.Long("batch", "a batch id"), q.Text("team"), q.Text("user"));

    /// <summary>Where reading starts: after the event <paramref name="lastEventId"/> (a stream resumed), the <c>after</c>
    /// cursor, or the first event at <c>since</c>; null when none is given.</summary>
    private static async Task<EventPosition?> StartAsync(DataContext c, QueryText q, string? lastEventId)
    {
        if (lastEventId is not null)
        {
            if (long.TryParse(lastEventId, NumberStyles.None, CultureInfo.InvariantCulture, out var id)) return await EventLog.PositionOfAsync(c, id);
            q.Validation.Add("Last-Event-ID", $"'{lastEventId}' is not an event id.");
            return null;
        }
        if (q.Cursor() is { } after) return await EventLog.PositionOfAsync(c, after);
        if (q.Time("since") is { } since) return await EventLog.PositionAtAsync(c, since);
        return null;
    }

    /// <summary>Server-sent events: each event as <c>id</c>, <c>event</c> (its type) and <c>data</c> (the event's JSON, as
    /// the list shows it). Without a start it begins at the head: only what happens from now on. It ends when the client
    /// goes or the node stops; the client resumes anywhere with the last id it saw.</summary>
    private static async Task StreamAsync(HttpContext http, Database db, EventFeed feed, EventCatalog catalog, CancellationToken ct)
    {
        var v = new Validation();
        var q = new QueryText(http.Request.Query, [.. Known.Where(k => k != "limit")], "event stream", v);
        var filter = Filter(q, catalog);
        EventPosition position;
        await using (var c = await db.OpenAsync(ct))
        {
            var lastEventId = http.Request.Headers["Last-Event-ID"].FirstOrDefault();
            position = await StartAsync(c, q, string.IsNullOrWhiteSpace(lastEventId) ? null : lastEventId.Trim()) ?? await EventLog.HeadAsync(c);
        }
        v.ThrowIfInvalid();

        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no"; // nginx: pass each event on as it comes
        var body = http.Response.Body;
        await WriteAsync(body, "retry: 2000\n\n", ct);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var head = feed.Head;
                List<EventRow> rows;
                await using (var c = await db.OpenAsync(ct))
                    rows = await EventLog.ReadAsync(c, filter, position, StreamPage);
                if (rows.Count > 0)
                {
                    var text = new StringBuilder();
                    foreach (var row in rows)
                    {
                        text.Append("id: ").Append(row.Id.ToString(CultureInfo.InvariantCulture)).Append('\n')
                            .Append("event: ").Append(row.Type).Append('\n')
                            .Append("data: ").Append(row.Json).Append("\n\n");
                        position = row.Position;
                    }
                    await WriteAsync(body, text.ToString(), ct);
                    if (rows.Count == StreamPage) continue;
                }
                // Everything up to the head seen before the read has been read: what the filter left out need not be read again.
                if (head > position) position = head;
                var waited = DateTimeOffset.UtcNow;
                await feed.WaitAsync(position, KeepAlive, ct);
                if (DateTimeOffset.UtcNow - waited >= KeepAlive) await WriteAsync(body, ": keep-alive\n\n", ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // the client went, or the node stops: the stream just ends
        }
    }

    private static async Task WriteAsync(Stream body, string text, CancellationToken ct)
    {
        await body.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
        await body.FlushAsync(ct);
    }
}
