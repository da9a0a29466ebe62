using System.Globalization;
using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Ingot.Server.SelfService;

/// <summary>Reads the audit log that <see cref="Audit"/> writes: newest first, keyset-paged by id.</summary>
public static class AuditEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static void MapAuditLog(this RouteGroupBuilder api) =>
        api.MapGet("/audit", ListAsync).WithTags("Audit");

    // Query values arrive as text and are parsed here, so a bad one is a 422 naming the parameter
    // rather than the framework's generic binding failure.
    private static async Task<Ok<Page<AuditEntry>>> ListAsync(
        string? actor, string? limit, string? after, HttpContext http, Database db, CancellationToken ct)
    {
        var v = new Validation();
        var take = DefaultLimit;
        if (limit is not null)
        {
            if (int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed is >= 1 and <= MaxLimit)
                take = parsed;
            else v.Add("limit", $"must be a whole number from 1 to {MaxLimit}, not '{limit}'.");
        }
        long? before = null;
        if (after is not null)
        {
            if (long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0) before = id;
            else v.Add("after", $"must be the 'next' value of a previous page (a positive id), not '{after}'.");
        }
        v.ThrowIfInvalid();

        var where = new List<string>();
        if (!string.IsNullOrEmpty(actor)) where.Add("actor = @actor");
        if (before is not null) where.Add("id < @before");
        var sql = "SELECT id, at, actor, action, target, status, outcome, token, reason FROM audit_log"
                  + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "")
                  + " ORDER BY id DESC LIMIT @fetch";
        await using var c = await db.OpenAsync(ct);
        // One extra row tells whether another page exists without counting the whole log.
        var rows = (await c.QueryAsync<AuditRow>(sql, new { actor, before, fetch = take + 1 })).ToList();
        var more = rows.Count > take;
        var items = rows.Take(take).Select(r => r.View()).ToList();
        var next = more ? items[^1].Id.ToString(CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new Page<AuditEntry>(items, next, null));
    }

    private sealed class AuditRow
    {
        public long Id { get; init; }
        public DateTimeOffset At { get; init; }
        public string Actor { get; init; } = "";
        public string Action { get; init; } = "";
        public string? Target { get; init; }
        public int Status { get; init; }
        public string Outcome { get; init; } = "";
        public string? Token { get; init; }
        public string? Reason { get; init; }
        public AuditEntry View() => new(Id, At, Actor, Action, Target, Status, Outcome, Token, Reason);
    }
}
