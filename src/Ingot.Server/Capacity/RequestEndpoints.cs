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
    public const int MaxCount = 10_000;

    public static void MapRequests(this RouteGroupBuilder api)
    {
        var requests = api.MapGroup("/requests").WithTags("Requests");
        requests.MapGet("", ListAsync);
        requests.MapGet("/{id:long}", GetAsync);
        requests.MapPost("", CreateAsync);
        requests.MapPost("/{id:long}/cancel", CancelAsync);
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
        var v = new Validation();
        var role = v.Required("role", body.Role)?.ToLowerInvariant();
        var site = v.Required("site", body.Site)?.ToLowerInvariant();
        var sku = v.Required("sku", body.Sku)?.ToLowerInvariant();
        var image = v.Required("image", body.Image);
        v.When(body.Count is null, "count", "is required: how many machines.");
        v.When(body.Count is < 1 or > MaxCount, "count", $"must be from 1 to {MaxCount:N0}.");
        v.When(body.ExpiresAt <= clock.GetUtcNow(), "expires_at", $"{body.ExpiresAt:O} is not in the future; omit it for machines that do not expire.");
        (long Id, long TeamId, string Team) roleRow;
        long? siteId, skuId;
        var template = string.IsNullOrWhiteSpace(body.HostnameTemplate) ? HostnameTemplate.Default : body.HostnameTemplate.Trim();
        await using (var c = await db.OpenAsync(ct))
        {
        roleRow = role is null ? default : await c.QuerySingleOrDefaultAsync<(long Id, long TeamId, string Team)>(
            "SELECT ro.id, ro.team_id, t.name FROM roles ro JOIN teams t ON t.id = ro.team_id WHERE ro.name = @role", new { role });
        siteId = site is null ? null : await c.ExecuteScalarAsync<long?>("SELECT id FROM sites WHERE name = @site", new { site });
        skuId = sku is null ? null : await c.ExecuteScalarAsync<long?>("SELECT id FROM skus WHERE name = @sku", new { sku });
        v.When(role is not null && roleRow.Id == 0, "role", $"no role '{role}' exists (GET /api/v1/roles).");
        v.When(site is not null && siteId is null, "site", $"no site '{site}' exists (GET /api/v1/sites).");
        v.When(sku is not null && skuId is null, "sku", $"no SKU '{sku}' exists (GET /api/v1/skus).");
        // The team's members and the site's operators may ask for the role's machines (docs/authorization.md).
        if (roleRow.Id != 0 && siteId is not null && !caller.OperatesOn(site) && (caller.Grant == Caller.ViewerGrant || !caller.Teams.ContainsKey(roleRow.TeamId)))
            throw new ForbiddenException($"Requesting machines for role {role} needs a member of its team {roleRow.Team} or an operator of {site}; '{caller.Name}' is {caller.Describe()}.");
        if (role is not null && site is not null && body.Count is >= 1 and <= MaxCount
            && HostnameTemplate.Problem(template, body.Count.Value, role, site, options.Domain) is { } problem)
            v.Add("hostname_template", problem);
        v.ThrowIfInvalid();
        if (image is not null)
        {
            var found = await ImageRow.FindAsync(c, image);
            v.When(found is null, "image", $"no image named '{image}'; see GET /api/v1/images.");
            v.When(found is not null && found.Kind != "install", "image", $"'{image}' is a {found?.Kind} image, not an install image.");
            v.ThrowIfInvalid();
        }
        }

        var now = clock.GetUtcNow();
        var (id, queued) = await db.InTransactionAsync<(long, bool)>(async t =>
        {
            var id = await t.ExecuteScalarAsync<long>(
                """
                INSERT INTO provisioning_requests (role_id, site_id, sku_id, count, image, hostname_template, spread, expires_at, user_name, status,
                                                   created_at, updated_at)
                VALUES (@roleId, @siteId, @skuId, @count, @image, @template, @spread, @ExpiresAt, @user, 'allocating', @now, @now) RETURNING id
                """,
                new { roleId = roleRow.Id, siteId, skuId, count = body.Count, image, template, spread = body.Spread ?? true, body.ExpiresAt, user = caller.Name, now });
            return (id, await pass.RunAsync(t, id));
        }, ct);
        if (queued) jobs.WakeWorkers();
        await using var read = await db.OpenAsync(ct);
        return TypedResults.Accepted($"/api/v1/requests/{id}", await RequestReader.GetAsync(read, id));
    }

    /// <summary>Cancels the request: installs under way are cancelled, and every machine it took is given back (recycled),
    /// which the reconciler sees through. The submitter, the role's team and the site's operators may.</summary>
    private static async Task<Ok<RequestView>> CancelAsync(long id, HttpContext http, Database db, RequestPass pass, JobSubmission jobs, CancellationToken ct)
    {
        var caller = Caller.From(http);
        var queued = await db.InTransactionAsync(async c =>
        {
            var r = await c.QuerySingleOrDefaultAsync<(string UserName, long TeamId, string Site, string Status)>(
                """
                SELECT q.user_name, ro.team_id, s.name, q.status FROM provisioning_requests q JOIN roles ro ON ro.id = q.role_id
                JOIN sites s ON s.id = q.site_id WHERE q.id = @id
                """, new { id });
            if (r.UserName is null) throw new NotFoundException("request", id.ToString(CultureInfo.InvariantCulture));
            if (r.UserName != caller.Name && !caller.OperatesOn(r.Site) && (caller.Grant == Caller.ViewerGrant || !caller.Teams.ContainsKey(r.TeamId)))
                throw new ForbiddenException($"Request {id} is {r.UserName}'s; cancelling it needs its submitter, a member of its role's team or an operator of {r.Site}.");
            if (r.Status == Wire.Name(RequestStatus.Cancelled)) return false;
            return await pass.RunAsync(c, id, caller.Name);
        }, ct);
        if (queued) jobs.WakeWorkers();
        await using var read = await db.OpenAsync(ct);
        return TypedResults.Ok(await RequestReader.GetAsync(read, id));
    }
}
