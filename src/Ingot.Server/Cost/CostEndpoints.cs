using Dapper;
using Ingot.Client;
using Ingot.Server.Api;
using Ingot.Server.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Ingot.Server.Cost;

/// <summary>GET /api/v1/cost and /cost/waste (docs/cost.md), for anyone signed in: what each team spends is no secret,
/// and what it wastes should not be.</summary>
public static class CostEndpoints
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(30);
    private static readonly TimeSpan LongestWindow = TimeSpan.FromDays(3660);

    public static void MapCost(this RouteGroupBuilder api)
    {
        var cost = api.MapGroup("/cost").WithTags("Cost");
        cost.MapGet("", CostAsync);
        cost.MapGet("/waste", WasteAsync);
    }

    private static readonly string[] CostKnown = ["team", "role", "since", "until"], WasteKnown = ["team", "site", "idle_days"];

    private static async Task<Ok<CostReport>> CostAsync(HttpContext http, Database db, CostOptions options, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var q = new QueryText(http.Request.Query, CostKnown, "cost", v);
        var now = clock.GetUtcNow();
        var until = q.Time("until") ?? now;
        var since = q.Time("since") ?? until - DefaultWindow;
        v.When(since >= until, "since", $"must be before until ({until:O}).");
        v.When(until - since > LongestWindow, "since", $"the window is at most {LongestWindow.TotalDays:N0} days.");
        var team = Name(q, "team", v);
        var role = Name(q, "role", v);
        v.ThrowIfInvalid();
        await using var c = await db.OpenAsync(ct);
        await NamedRows.RequireAsync(c, "teams", "team", team);
        await NamedRows.RequireAsync(c, "roles", "role", role);
        return TypedResults.Ok(await CostReports.ReadAsync(c, team, role, since, until, options.Currency));
    }

    private static async Task<Ok<WasteReport>> WasteAsync(HttpContext http, Database db, CostOptions options, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var q = new QueryText(http.Request.Query, WasteKnown, "waste", v);
        var days = q.Int("idle_days", 1, 3650) ?? options.IdleDays;
        var team = Name(q, "team", v);
        var site = Name(q, "site", v);
        v.ThrowIfInvalid();
        await using var c = await db.OpenAsync(ct);
        await NamedRows.RequireAsync(c, "teams", "team", team);
        await NamedRows.RequireAsync(c, "sites", "site", site);
        return TypedResults.Ok(await WasteReports.ReadAsync(c, team, site, days, clock.GetUtcNow(), options.Currency));
    }

    private static string? Name(QueryText q, string field, Validation v) =>
        q.Text(field) is { } text ? v.Slug(field, text, field) : null;
}
