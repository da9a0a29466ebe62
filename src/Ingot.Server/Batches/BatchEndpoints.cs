using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Api;
using Ingot.Server.SelfService;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Ingot.Server.Batches;

/// <summary>/api/v1/batches: submit (201 at once, or 200 for a repeated Idempotency-Key), list, show, hosts, cancel.</summary>
public static class BatchEndpoints
{
    public static void MapBatches(this RouteGroupBuilder api)
    {
        var batches = api.MapGroup("/batches").WithTags("Batches");
        batches.MapPost("", SubmitAsync).WithMetadata(TokenScope.Submission.Instance);
        batches.MapGet("", ListAsync);
        batches.MapGet("/stats", StatsAsync);
        batches.MapGet("/{id:long}", GetAsync);
        batches.MapGet("/{id:long}/hosts", HostsAsync);
        batches.MapPost("/{id:long}/cancel", CancelAsync);
        api.MapGet("/activity", ActivityAsync).WithTags("Batches");
    }

    private static readonly string[] StatsFilters = ["since"];

    private static async Task<Ok<BatchStats>> StatsAsync(HttpContext http, Database db, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var since = new QueryText(http.Request.Query, StatsFilters, "stats", v).Time("since") ?? clock.GetUtcNow().AddDays(-1);
        v.ThrowIfInvalid();
        await using var c = await db.OpenAsync(ct);
        return TypedResults.Ok(await BatchStatsQuery.RunAsync(c, since));
    }

    private sealed class ActivityCount
    {
        public string? Site { get; init; }
        public string Action { get; init; } = "";
        public string Status { get; init; } = "";
        public long Count { get; init; }
    }

    /// <summary>Jobs queued and running now, per site and action (all jobs, batch or not).</summary>
    private static async Task<Ok<List<ActivityRow>>> ActivityAsync(Database db, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<ActivityCount>(
            """
            SELECT s.name AS site, j.action, j.status, COUNT(*) AS count FROM jobs j LEFT JOIN sites s ON s.id = j.site_id
            WHERE j.status IN ('queued', 'running') GROUP BY s.name, j.action, j.status
            """);
        return TypedResults.Ok(rows.GroupBy(r => (r.Site, r.Action)).OrderBy(g => g.Key.Site, StringComparer.Ordinal).ThenBy(g => g.Key.Action, StringComparer.Ordinal)
            .Select(g => new ActivityRow(g.Key.Site, g.Key.Action, g.Where(r => r.Status == "queued").Sum(r => r.Count), g.Where(r => r.Status == "running").Sum(r => r.Count)))
            .ToList());
    }

    private static async Task<IResult> SubmitAsync(BatchSubmit? body, HttpContext http, Database db, BatchSubmission submission, CancellationToken ct)
    {
        var (view, created) = await submission.SubmitAsync(db, body, Caller.From(http), Idempotency.Key(http), ct);
        return created ? TypedResults.Created($"/api/v1/batches/{view.Id}", view) : TypedResults.Ok(view);
    }

    private static async Task<Ok<Page<BatchView>>> ListAsync(HttpContext http, Database db, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return TypedResults.Ok(await BatchReader.ListAsync(c, http.Request.Query));
    }

    private static async Task<Ok<BatchView>> GetAsync(long id, Database db, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return TypedResults.Ok(await BatchReader.GetAsync(c, id));
    }

    private static async Task<Ok<Page<BatchHostView>>> HostsAsync(long id, HttpContext http, Database db, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return TypedResults.Ok(await BatchReader.HostsAsync(c, id, http.Request.Query));
    }

    /// <summary>Queued jobs (and jobs parked waiting for an image) end at once and free their machines; running ones are
    /// asked to stop at their next step boundary. The batch's user or an admin may cancel.</summary>
    private static async Task<Ok<BatchView>> CancelAsync(long id, HttpContext http, Database db, TimeProvider clock, CancellationToken ct)
    {
        var caller = Caller.From(http);
        var view = await db.InTransactionAsync(async c =>
        {
            var owner = await c.ExecuteScalarAsync<string?>("SELECT user_name FROM batches WHERE id = @id" + Sql.ForUpdate(c), new { id })
                        ?? throw new NotFoundException("batch", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            // Its team's members may cancel a batch whose every machine is their team's (docs/authorization.md).
            var teams = (await c.QueryAsync<long?>(
                "SELECT DISTINCT r.team_id FROM jobs j JOIN machines m ON m.id = j.machine_id LEFT JOIN roles r ON r.id = m.role_id WHERE j.batch_id = @id",
                new { id })).ToList();
            var allTheirs = teams.Count > 0 && teams.All(t => t is { } team && caller.Teams.ContainsKey(team)) && caller.Grant != Caller.ViewerGrant;
            if (!caller.MayCancel(owner, null) && !allTheirs)
                throw new ForbiddenException($"Batch {id} belongs to '{owner}'; only they, the team owning all its machines, operators or an admin may cancel it.");
            var active = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM jobs WHERE batch_id = @id AND status IN ('queued', 'running')", new { id });
            if (active == 0) throw new ConflictException($"Batch {id} has ended; there is nothing to cancel.");
            await c.ExecuteAsync("UPDATE batches SET cancelled_by = COALESCE(cancelled_by, @by) WHERE id = @id", new { id, by = caller.Name });
            await Jobs.JobCancellation.CancelAsync(c, "batch_id = @id", id, caller.Name, clock.GetUtcNow());
            return await BatchReader.GetAsync(c, id);
        }, ct);
        return TypedResults.Ok(view);
    }
}
