using System.Globalization;
using System.Text;
using Dapper;
using Ingot.Client;
using Ingot.Server.Api;
using Ingot.Server.Data;
using Ingot.Server.Inventory;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Ingot.Server.Tickets;

/// <summary>/api/v1/tickets (docs/tickets.md): triage tickets, read by anyone signed in; acknowledged and resolved by the
/// team they are routed to, the site's operators and admins; commented on by those and the watchers.</summary>
public static class TicketEndpoints
{
    public static void MapTickets(this RouteGroupBuilder api)
    {
        var tickets = api.MapGroup("/tickets").WithTags("Tickets");
        tickets.MapGet("", ListAsync);
        tickets.MapGet("/{id:long}", GetAsync);
        tickets.MapPost("/{id:long}/acknowledge", (long id, HttpContext http, Database db, TimeProvider clock, CancellationToken ct) =>
            MoveAsync(id, TicketStatus.Acknowledged, http, db, clock, ct));
        tickets.MapPost("/{id:long}/resolve", (long id, HttpContext http, Database db, TimeProvider clock, CancellationToken ct) =>
            MoveAsync(id, TicketStatus.Resolved, http, db, clock, ct));
        tickets.MapPost("/{id:long}/comments", CommentAsync);
    }

    public const int MaxComment = 10_000;

    private static async Task<Ok<Page<TicketView>>> ListAsync(HttpContext http, Database db, CancellationToken ct)
    {
        var v = new Validation();
        var q = new QueryText(http.Request.Query, ["status", "team", "machine", "after", "limit"], "ticket", v);
        var where = new StringBuilder("WHERE 1 = 1");
        var args = new DynamicParameters();
        if (q.Text("status") is { } status)
        {
            if (Wire.TryParse<TicketStatus>(status, out var s)) { where.Append(" AND status = @status"); args.Add("status", Wire.Name(s)); }
            else v.Add("status", $"'{status}' is not a ticket status; use one of {Wire.Names<TicketStatus>()}.");
        }
        var team = q.Text("team");
        if (team is not null) { where.Append(" AND team = @team"); args.Add("team", team); }
        var machine = q.Text("machine");
        var limit = q.Int("limit", 1, 1000) ?? 100;
        if (q.Cursor() is { } after) { where.Append(" AND id < @after"); args.Add("after", after); }
        v.ThrowIfInvalid();
        await using var c = await db.OpenAsync(ct);
        if (team is not null) await NamedRows.RequireAsync(c, "teams", "team", team);
        if (machine is not null) { where.Append(" AND machine_id = @machine"); args.Add("machine", await MachineReader.ResolveAsync(c, machine)); }
        args.Add("take", limit + 1);
        var rows = (await c.QueryAsync<Tickets.Row>($"{Tickets.Select} {where} ORDER BY id DESC LIMIT @take", args)).AsList();
        return TypedResults.Ok(Keyset.Page(rows, limit, r => r.Id, r => r.View(full: false)));
    }

    private static async Task<Ok<TicketView>> GetAsync(long id, Database db, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return TypedResults.Ok(await ReadAsync(c, id));
    }

    private static async Task<TicketView> ReadAsync(DataContext c, long id)
    {
        var row = await Tickets.GetAsync(c, id);
        var comments = (await c.QueryAsync<CommentRow>("SELECT id, user_name, body, at FROM ticket_comments WHERE ticket_id = @id ORDER BY id", new { id }))
            .Select(r => new TicketComment(r.Id, r.UserName, r.Body, r.At)).ToList();
        return row.View(full: true, comments);
    }

    private sealed class CommentRow
    {
        public long Id { get; init; }
        public string UserName { get; init; } = "";
        public string Body { get; init; } = "";
        public DateTimeOffset At { get; init; }
    }

    /// <summary>Admins, the site's operators and the members of the team the ticket is routed to work a ticket.</summary>
    private static async Task<bool> WorksOnAsync(DataContext c, Caller caller, Tickets.Row t)
    {
        if (caller.OperatesOn(t.Site)) return true;
        if (caller.Grant == Caller.ViewerGrant || t.Team is null) return false;
        var team = await c.ExecuteScalarAsync<long?>("SELECT id FROM teams WHERE name = @Team", new { t.Team });
        return team is { } id && caller.Teams.ContainsKey(id);
    }

    private static async Task<Ok<TicketView>> MoveAsync(long id, TicketStatus to, HttpContext http, Database db, TimeProvider clock, CancellationToken ct)
    {
        var caller = Caller.From(http);
        var view = await db.InTransactionAsync(async c =>
        {
            var t = await c.QuerySingleOrDefaultAsync<Tickets.Row>($"{Tickets.Select} WHERE id = @id" + Sql.ForUpdate(c), new { id })
                    ?? throw new NotFoundException("ticket", id.ToString(CultureInfo.InvariantCulture));
            var doing = to == TicketStatus.Resolved ? "Resolving" : "Acknowledging";
            if (!await WorksOnAsync(c, caller, t))
                throw new ForbiddenException($"{doing} ticket {id} needs a member of {(t.Team is null ? "no team (it has no route)" : $"team {t.Team}")}, " +
                                             $"an operator of {t.Site ?? "its site"} or an admin; '{caller.Name}' is {caller.Describe()}.");
            if (t.Status == Wire.Name(TicketStatus.Resolved))
                throw new ConflictException($"Ticket {id} is resolved; a new failure of {t.Machine} opens a new one.");
            if (t.Status == Wire.Name(to)) return await ReadAsync(c, id); // again: nothing changes
            var now = clock.GetUtcNow();
            await c.ExecuteAsync(to == TicketStatus.Resolved
                    ? "UPDATE tickets SET status = 'resolved', resolved_by = @by, resolved_at = @now, updated_at = @now WHERE id = @id"
                    : "UPDATE tickets SET status = 'acknowledged', acknowledged_by = @by, updated_at = @now WHERE id = @id",
                new { id, by = caller.Name, now });
            await Tickets.EventAsync(c, to == TicketStatus.Resolved ? Tickets.Resolved : Tickets.Acknowledged, await Tickets.GetAsync(c, id), caller.Name, now);
            return await ReadAsync(c, id);
        }, ct);
        return TypedResults.Ok(view);
    }

    private static async Task<Ok<TicketView>> CommentAsync(long id, TicketCommentCreate? body, HttpContext http, Database db, TimeProvider clock,
                                                           CancellationToken ct)
    {
        var caller = Caller.From(http);
        var v = new Validation();
        var text = v.Required("body", body?.Body);
        v.When(text is { Length: > MaxComment }, "body", $"is longer than {MaxComment:N0} characters.");
        v.ThrowIfInvalid();
        var view = await db.InTransactionAsync(async c =>
        {
            var t = await Tickets.GetAsync(c, id);
            if (!t.WatcherList.Contains(caller.Name) && !await WorksOnAsync(c, caller, t))
                throw new ForbiddenException($"Commenting on ticket {id} needs a watcher, a member of {(t.Team is null ? "its team" : $"team {t.Team}")}, " +
                                             $"an operator of {t.Site ?? "its site"} or an admin; '{caller.Name}' is {caller.Describe()}.");
            var now = clock.GetUtcNow();
            await c.ExecuteAsync("INSERT INTO ticket_comments (ticket_id, user_name, body, at) VALUES (@id, @by, @text, @now)",
                new { id, by = caller.Name, text, now });
            await c.ExecuteAsync("UPDATE tickets SET updated_at = @now WHERE id = @id", new { id, now });
            await Tickets.EventAsync(c, Tickets.Commented, t, caller.Name, now, text);
            return await ReadAsync(c, id);
        }, ct);
        return TypedResults.Ok(view);
    }
}
