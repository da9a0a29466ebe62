using System.Globalization;
using Dapper;
using Ingot.Client;
using Ingot.Server.Api;
using Ingot.Server.Data;
using Ingot.Server.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Ingot.Server.Capacity;

/// <summary>Pools (docs/requests.md): a standing count of machines for a role, SKU and site. Stored as a request that
/// never ends (kind "pool"), so the same allocator and pass keep it: a broken member is replaced, a resize allocates or
/// drains, a delete gives every member back. Managed by the role's team and the site's operators.</summary>
public static class Pools
{
    public const string Kind = "pool";
    public const string Resized = "pool.resized";

    public static void MapPools(this RouteGroupBuilder api)
    {
        var pools = api.MapGroup("/pools").WithTags("Pools");
        pools.MapGet("", ListAsync);
        pools.MapGet("/{id:long}", GetAsync);
        pools.MapPost("", CreateAsync);
        pools.MapPatch("/{id:long}", ResizeAsync);
        pools.MapDelete("/{id:long}", DeleteAsync);
    }

    private static async Task<Ok<Page<PoolView>>> ListAsync(HttpContext http, Database db, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var page = await RequestReader.ListAsync(c, http.Request.Query, Kind);
        return TypedResults.Ok(new Page<PoolView>([.. page.Items.Select(PoolView.From)], page.Next, page.Total));
    }

    private static async Task<Ok<PoolView>> GetAsync(long id, Database db, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return TypedResults.Ok(PoolView.From(await RequestReader.GetAsync(c, id, Kind)));
    }

    private static async Task<Created<PoolView>> CreateAsync(PoolCreate body, HttpContext http, Database db, RequestPass pass, JobSubmission jobs,
                                                            RequestOptions options, TimeProvider clock, CancellationToken ct)
    {
        var caller = Caller.From(http);
        var now = clock.GetUtcNow();
        var ask = await CapacityAsk.CheckAsync(db, caller, options, now, Kind, body.Role, body.Site, body.Sku, body.Desired, "desired", body.Image,
            body.HostnameTemplate, body.Spread, null, ct);
        var (id, queued) = await db.InTransactionAsync<(long, bool)>(async c =>
        {
            var id = await ask.InsertAsync(c, caller.Name, now);
            return (id, await pass.RunAsync(c, id));
        }, ct);
        if (queued) jobs.WakeWorkers();
        return TypedResults.Created($"/api/v1/pools/{id}", await ReadAsync(db, id, ct));
    }

    /// <summary>A new desired size: larger allocates at once, smaller drains the newest members. It also clears the streak
    /// of failed installs, so a pool that stopped replacing tries again.</summary>
    private static async Task<Ok<PoolView>> ResizeAsync(long id, PoolResize body, HttpContext http, Database db, RequestPass pass, JobSubmission jobs,
                                                        RequestOptions options, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        v.When(body.Desired is null, "desired", "is required: how many machines the pool keeps.");
        v.When(body.Desired is < 0 or > CapacityAsk.MaxCount, "desired", $"must be from 0 to {CapacityAsk.MaxCount:N0}.");
        v.ThrowIfInvalid();
        var queued = await db.InTransactionAsync(async c =>
        {
            var pool = await CapacityAsk.AuthorizeAsync(c, Caller.From(http), id, Kind, "Resizing", submitterMay: false);
            if (HostnameTemplate.Problem(pool.Template, body.Desired!.Value, pool.Role, pool.Site, options.Domain) is { } problem)
                throw new ValidationException("desired", $"the pool's hostname template cannot name {body.Desired} machines: {problem}");
            var previous = await c.ExecuteScalarAsync<int>("SELECT count FROM provisioning_requests WHERE id = @id", new { id });
            await c.ExecuteAsync("UPDATE provisioning_requests SET count = @desired, failure_streak = 0 WHERE id = @id", new { id, desired = body.Desired });
            var by = Caller.From(http).Name;
            var team = await c.ExecuteScalarAsync<string?>("SELECT name FROM teams WHERE id = @TeamId", new { pool.TeamId });
            await Events.WriteAsync(c, Resized, $"{Kind}:{id}", new { Id = id, pool.Role, Team = team, pool.Site, Desired = body.Desired, Previous = previous, By = by },
                clock.GetUtcNow(), new EventAbout(Team: team, User: pool.UserName));
            return await pass.RunAsync(c, id);
        }, ct);
        if (queued) jobs.WakeWorkers();
        return TypedResults.Ok(await ReadAsync(db, id, ct));
    }

    /// <summary>Deletes the pool: its installs stop and every member is recycled; the pool stays listed as deleted.</summary>
    private static async Task<Ok<PoolView>> DeleteAsync(long id, HttpContext http, Database db, RequestPass pass, JobSubmission jobs, CancellationToken ct)
    {
        var caller = Caller.From(http);
        var queued = await db.InTransactionAsync(async c =>
        {
            var pool = await CapacityAsk.AuthorizeAsync(c, caller, id, Kind, "Deleting", submitterMay: false);
            return pool.Status != Wire.Name(RequestStatus.Cancelled) && await pass.RunAsync(c, id, caller.Name);
        }, ct);
        if (queued) jobs.WakeWorkers();
        return TypedResults.Ok(await ReadAsync(db, id, ct));
    }

    private static async Task<PoolView> ReadAsync(Database db, long id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return PoolView.From(await RequestReader.GetAsync(c, id, Kind));
    }
}
