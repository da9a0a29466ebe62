using System.Globalization;
using System.Text.Json;
using Ingot.Client;
using Ingot.Server.Api;
using Ingot.Server.Data;

namespace Ingot.Server.Tickets;

/// <summary>Ticket rows, their view, and their events (ticket.opened, ticket.recurred, ticket.acknowledged,
/// ticket.resolved, ticket.commented: docs/events.md), written with each change.</summary>
public static class Tickets
{
    public const string Opened = "ticket.opened", Recurred = "ticket.recurred", Acknowledged = "ticket.acknowledged",
        Resolved = "ticket.resolved", Commented = "ticket.commented";

    public static readonly string[] EventTypes = [Opened, Recurred, Acknowledged, Resolved, Commented];

    public const string Select =
        """
        SELECT id, machine_id, machine, site, team, status, title, source, job_id, batch_id, watchers, occurrences, evidence, opened_at, updated_at,
               acknowledged_by, resolved_by, resolved_at FROM tickets
        """;

    public sealed class Row
    {
        public long Id { get; init; }
        public long MachineId { get; init; }
        public string Machine { get; init; } = "";
        public string? Site { get; init; }
        public string? Team { get; init; }
        public string Status { get; init; } = "open";
        public string Title { get; init; } = "";
        public string Source { get; init; } = "";
        public long? JobId { get; init; }
        public long? BatchId { get; init; }
        public string Watchers { get; init; } = "";
        public int Occurrences { get; init; }
        public string Evidence { get; init; } = "{}";
        public DateTimeOffset OpenedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
        public string? AcknowledgedBy { get; init; }
        public string? ResolvedBy { get; init; }
        public DateTimeOffset? ResolvedAt { get; init; }

        public IReadOnlyList<string> WatcherList => Watchers.Split(',', StringSplitOptions.RemoveEmptyEntries);

        public TicketView View(bool full, IReadOnlyList<TicketComment>? comments = null) => new(Id, MachineId, Machine, Site, Team,
            Wire.TryParse<TicketStatus>(Status, out var s) ? s : TicketStatus.Open, Title, Source, JobId, BatchId, WatcherList, Occurrences, OpenedAt,
            UpdatedAt, AcknowledgedBy, ResolvedBy, ResolvedAt,
            full ? JsonSerializer.Deserialize<TicketEvidence>(Evidence, IngotJson.Tolerant) : null, comments);
    }

    public static async Task<Row> GetAsync(DataContext c, long id) =>
        await c.QuerySingleOrDefaultAsync<Row>($"{Select} WHERE id = @id", new { id })
        ?? throw new NotFoundException("ticket", id.ToString(CultureInfo.InvariantCulture));

    /// <summary>The ticket's event: who it is routed to is its team, the watchers' first (the submitter) its user.</summary>
    public static Task EventAsync(DataContext c, string type, Row t, string? by, DateTimeOffset now, string? comment = null) =>
        Events.WriteAsync(c, type, $"ticket:{t.Id}", new
        {
            TicketId = t.Id, t.MachineId, t.Machine, t.Site, t.Team, t.Title, t.Source, t.JobId, t.BatchId, Watchers = t.WatcherList,
            t.Occurrences, By = by, Comment = comment,
        }, now, new EventAbout(MachineId: t.MachineId, BatchId: t.BatchId, Team: t.Team, User: t.WatcherList.FirstOrDefault()));
}
