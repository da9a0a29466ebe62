using System.Globalization;
using Dapper;
using Ingot.Client;
using Ingot.Server.Api;
using Ingot.Server.Data;
using Ingot.Server.Inventory;
using Ingot.Server.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Ingot.Server.Capacity;

/// <summary>Provisioning requests (docs/requests.md): "count machines of SKU in site for role". Made by the role's team
/// and operators of the site; the first allocation is made before the 202, the reconciler carries on from there.</summary>
public static class RequestEndpoints
{
    public static void MapRequests(this RouteGroupBuilder api)
    {
        var requests = api.MapGroup("/requests").WithTags("Requests");
        requests.MapGet("", ListAsync);
        requests.MapGet("/{id:long}", GetAsync);
        requests.MapPost("", CreateAsync);
        requests.MapPost("/{id:long}/cancel", CancelAsync);
        requests.MapPatch("/{id:long}/lease", ExtendAsync);
    }

    private static async Task<Ok<Page<RequestView>>> ListAsync(HttpContext http, Database db, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return TypedResults.Ok(await RequestReader.ListAsync(c, http.Request.Query));
    }

    private static async Task<Ok<RequestView>> GetAsync(long id, Database db, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return TypedResults.Ok(await RequestReader.GetAsync(c, id));
    }

    private static async Task<Accepted<RequestView>> CreateAsync(RequestCreate body, HttpContext http, Database db, RequestPass pass,
                                                                 JobSubmission jobs, RequestOptions options, TimeProvider clock, CancellationToken ct)
    {
        var caller = Caller.From(http);
        var now = clock.GetUtcNow();
        var ask = await CapacityAsk.CheckAsync(db, caller, options, now, "request", body.Role, body.Site, body.Sku, body.Count, "count", body.Image,
            body.HostnameTemplate, body.Spread, body.ExpiresAt, ct);
        var timings = new AllocationTimings();
        var total = System.Diagnostics.Stopwatch.StartNew();
        var (id, queued) = await db.InTransactionAsync<(long, bool)>(async t =>
        {
            timings = new AllocationTimings(); // a retried transaction starts its count again
            var id = await ask.InsertAsync(t, caller.Name, now);
            return (id, await pass.RunAsync(t, id, timings: timings));
        }, ct);
        if (queued) jobs.WakeWorkers();
        // The decision's time apart from its writes (W3C Server-Timing: browsers' developer tools show it; the requests
        // benchmark reads it).
        http.Response.Headers["Server-Timing"] = string.Create(CultureInfo.InvariantCulture,
            $"decide;dur={timings.Decide.TotalMilliseconds:F1};desc=\"the pick and its names\", write;dur={timings.Write.TotalMilliseconds:F1};desc=\"the move and its rows\", commit;dur={total.Elapsed.TotalMilliseconds:F1};desc=\"the whole transaction\"");
        await using var read = await db.OpenAsync(ct);
        return TypedResults.Accepted($"/api/v1/requests/{id}", await RequestReader.GetAsync(read, id));
    }

    /// <summary>Moves a request's lease end (<c>null</c>: it no longer expires). Its reminder and expiry are noted afresh
    /// against the new end. The role's team and the site's operators may; not once the request ended.</summary>
    private static async Task<Ok<RequestView>> ExtendAsync(long id, LeaseExtend body, HttpContext http, Database db, TimeProvider clock, CancellationToken ct)
    {
        var caller = Caller.From(http);
        var now = clock.GetUtcNow();
        if (body.ExpiresAt <= now) throw new ValidationException("expires_at", $"{body.ExpiresAt:O} is not in the future (server time {now:O}); send null for no expiry.");
        await db.InTransactionAsync(async c =>
        {
            // Not its submitter as such: one who has left the role's team would keep the team's machines on. Giving them back
            // (cancel) stays theirs.
            var r = await CapacityAsk.AuthorizeAsync(c, caller, id, "request", "Extending the lease of", submitterMay: false);
            if (r.Status is "cancelled" or "expired" or "failed")
                throw new ConflictException($"Request {id} is {r.Status}: its lease ended with it; make a new request.");
            return await c.ExecuteAsync(
                "UPDATE provisioning_requests SET expires_at = @expires, lease_reminded_at = NULL, lease_expired_at = NULL, updated_at = @now WHERE id = @id",
                new { id, expires = body.ExpiresAt, now });
        }, ct);
        await using var read = await db.OpenAsync(ct);
        return TypedResults.Ok(await RequestReader.GetAsync(read, id));
    }

    /// <summary>Cancels the request: installs under way are cancelled, and every machine it took is given back (recycled),
    /// which the reconciler sees through. The submitter, the role's team and the site's operators may.</summary>
    private static async Task<Ok<RequestView>> CancelAsync(long id, HttpContext http, Database db, RequestPass pass, JobSubmission jobs, CancellationToken ct)
    {
        var caller = Caller.From(http);
        var queued = await db.InTransactionAsync(async c =>
        {
            var r = await CapacityAsk.AuthorizeAsync(c, caller, id, "request", "Cancelling", submitterMay: true);
            if (r.Status is "cancelled" or "expired") return false;
            return await pass.RunAsync(c, id, caller.Name);
        }, ct);
        if (queued) jobs.WakeWorkers();
        await using var read = await db.OpenAsync(ct);
        return TypedResults.Ok(await RequestReader.GetAsync(read, id));
    }
}
