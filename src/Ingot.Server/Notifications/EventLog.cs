using System.Text;
using System.Text.Json;
using Dapper;
using Ingot.Client;
using Ingot.Server.Api;
using Ingot.Server.Data;

namespace Ingot.Server.Notifications;

/// <summary>An event's place in the stream: the writing transaction (PostgreSQL; 0 on SQLite), then its id.</summary>
public readonly record struct EventPosition(long Tx, long Id)
{
    public static readonly EventPosition Start = new(0, 0);

    public static bool operator <(EventPosition a, EventPosition b) => a.Tx < b.Tx || (a.Tx == b.Tx && a.Id < b.Id);
    public static bool operator >(EventPosition a, EventPosition b) => b < a;
}

public sealed class EventRow
{
    public long Id { get; init; }
    public long Tx { get; init; }
    public string Type { get; init; } = "";
    public int Version { get; init; }
    public string Subject { get; init; } = "";
    public string Data { get; init; } = "{}";
    public DateTimeOffset At { get; init; }
    public long? MachineId { get; init; }
    public long? BatchId { get; init; }
    public string? Team { get; init; }
    public string? UserName { get; init; }

    public EventPosition Position => new(Tx, Id);

    // One row read by a node's feed serves every subscription and stream that sends it: its view and its JSON are made
    // once (two threads may both make them at first; either result is the same).
    private EventView? view;
    private string? json;

    public EventView View()
    {
        if (view is not null) return view;
        using var data = JsonDocument.Parse(Data);
        var made = new EventView(Id, Type, Version, Subject, At, data.RootElement.Clone(), MachineId, BatchId, Team, UserName);
        return view = made with { Summary = EventText.Summary(made) };
    }

    /// <summary>The event as the API, the stream and webhooks send it.</summary>
    public string Json => json ??= JsonSerializer.Serialize(View(), IngotJson.Options);
}

/// <summary>Reading the outbox in stream order, for the list, the stream and the deliveries. On PostgreSQL an event's id
/// is taken from a sequence when it is inserted, not when it commits: a reader that went past id 7 would never see an
/// id 6 whose transaction committed later. So the stream is ordered by the writing transaction first, and a read takes
/// only events of transactions older than the oldest still running (<c>pg_snapshot_xmin</c>): every transaction that can
/// still commit an event is then newer than everything read, and nothing is skipped. The price is latency while a long
/// transaction runs (its events, and newer ones, wait for it). SQLite has one writer: ids are in commit order.</summary>
public static class EventLog
{
    private const string Columns = "e.id, e.tx, e.type, e.version, e.subject, e.data, e.at, e.machine_id, e.batch_id, e.team, e.user_name";

    /// <summary>Only events of transactions that can no longer be joined by an older one.</summary>
    private static string Settled(DataContext c) => c.IsPostgres ? " AND e.tx < pg_snapshot_xmin(pg_current_snapshot())::text::bigint" : "";

    /// <summary>Events after <paramref name="after"/> that pass the filter, oldest first. Every event describes something
    /// any signed-in caller may read (docs/authorization.md), so the list, the stream and deliveries filter by the filter
    /// alone.</summary>
    public static async Task<List<EventRow>> ReadAsync(DataContext c, EventFilter filter, EventPosition after, int limit)
    {
        var where = new StringBuilder("WHERE (e.tx, e.id) > (@tx, @id)").Append(Settled(c));
        var args = new DynamicParameters(new { tx = after.Tx, id = after.Id, take = limit });
        filter.AppendTo(where, args);
        return (await c.QueryAsync<EventRow>($"SELECT {Columns} FROM events e {where} ORDER BY e.tx, e.id LIMIT @take", args)).AsList();
    }

    /// <summary>The newest settled position: what a reader can have read up to.</summary>
    public static async Task<EventPosition> HeadAsync(DataContext c)
    {
        return await FirstAsync(c, $"SELECT e.tx, e.id FROM events e WHERE 1 = 1{Settled(c)} ORDER BY e.tx DESC, e.id DESC LIMIT 1", null)
               ?? EventPosition.Start;
    }

    /// <summary>The position of event <paramref name="id"/> (a client's Last-Event-ID or <c>after</c>). An id that is
    /// not there (pruned, or made up) counts as the place of the next event after it.</summary>
    public static async Task<EventPosition> PositionOfAsync(DataContext c, long id)
    {
        var tx = await c.QueryFirstOrDefaultAsync<long?>("SELECT tx FROM events WHERE id = @id", new { id });
        if (tx is { } known) return new EventPosition(known, id);
        return await FirstAsync(c, "SELECT tx, id - 1 FROM events WHERE id > @id ORDER BY id LIMIT 1", new { id }) ?? await HeadAsync(c);
    }

    /// <summary>Just before the first event at or after <paramref name="since"/>.</summary>
    public static async Task<EventPosition> PositionAtAsync(DataContext c, DateTimeOffset since)
    {
        return await FirstAsync(c, "SELECT tx, id - 1 FROM events WHERE at >= @since ORDER BY at, id LIMIT 1", new { since }) ?? await HeadAsync(c);
    }

    private static async Task<EventPosition?> FirstAsync(DataContext c, string sql, object? args)
    {
        var rows = (await c.QueryAsync<(long Tx, long Id)>(sql, args)).AsList();
        return rows.Count == 0 ? null : new EventPosition(rows[0].Tx, rows[0].Id);
    }

}
