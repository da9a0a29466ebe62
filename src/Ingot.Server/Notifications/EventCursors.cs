using Dapper;
using Ingot.Server.Data;

namespace Ingot.Server.Notifications;

/// <summary>How far a consumer of the event log inside the server (the ticket opener) has read, kept in the transaction
/// of what it did with each event, so an event is acted on once whatever node reads it after a crash.</summary>
public static class EventCursors
{
    /// <summary>The consumer's cursor; a new consumer starts at the head (what happened before it existed is not its).</summary>
    public static async Task<EventPosition> ReadAsync(DataContext c, string name)
    {
        var rows = (await c.QueryAsync<(long Tx, long Id)>("SELECT tx, id FROM event_cursors WHERE name = @name", new { name })).AsList();
        if (rows.Count == 1) return new EventPosition(rows[0].Tx, rows[0].Id);
        var head = await EventLog.HeadAsync(c);
        await WriteAsync(c, name, head);
        return head;
    }

    public static Task WriteAsync(DataContext c, string name, EventPosition position) =>
        c.ExecuteAsync("INSERT INTO event_cursors (name, tx, id) VALUES (@name, @tx, @id) ON CONFLICT (name) DO UPDATE SET tx = @tx, id = @id",
            new { name, tx = position.Tx, id = position.Id });
}
