using Dapper;
using Ingot.Server.Api;
using Ingot.Server.Data;
using Ingot.Server.Inventory;

namespace Ingot.Server.Capacity;

/// <summary>What a request and a pool both ask for — role, site, SKU, a count, an image, a hostname template, spread —
/// checked in one place: every missing or unknown field named in one 422, the caller's right to the role's machines
/// (its team's members, the site's operators: docs/authorization.md), then the template and the image. Written by
/// <see cref="InsertAsync"/> as a row of provisioning_requests of its kind.</summary>
public sealed record CapacityAsk(string Kind, long RoleId, long SiteId, long SkuId, int Count, string Image, string Template, bool Spread, DateTimeOffset? ExpiresAt)
{
    public const int MaxCount = 10_000;

    /// <param name="countField">"count" for a request, "desired" for a pool: the field a 422 names.</param>
    public static async Task<CapacityAsk> CheckAsync(Database db, Caller caller, RequestOptions options, DateTimeOffset now, string kind,
        string? role, string? site, string? sku, int? count, string countField, string? image, string? template, bool? spread, DateTimeOffset? expiresAt,
        CancellationToken ct)
    {
        var v = new Validation();
        role = v.Required("role", role)?.ToLowerInvariant();
        site = v.Required("site", site)?.ToLowerInvariant();
        sku = v.Required("sku", sku)?.ToLowerInvariant();
        image = v.Required("image", image);
        v.When(count is null, countField, "is required: how many machines.");
        v.When(count is < 1 or > MaxCount, countField, $"must be from 1 to {MaxCount:N0}.");
        v.When(expiresAt <= now, "expires_at", $"{expiresAt:O} is not in the future; omit it for machines that do not expire.");
        template = string.IsNullOrWhiteSpace(template) ? HostnameTemplate.Default : template.Trim();
        await using var c = await db.OpenAsync(ct);
        var roleRow = role is null ? default : await c.QuerySingleOrDefaultAsync<(long Id, long TeamId, string Team, int? LeaseHours)>(
            "SELECT ro.id, ro.team_id, t.name, ro.lease_hours FROM roles ro JOIN teams t ON t.id = ro.team_id WHERE ro.name = @role", new { role });
        var siteId = site is null ? null : await c.ExecuteScalarAsync<long?>("SELECT id FROM sites WHERE name = @site", new { site });
        var skuId = sku is null ? null : await c.ExecuteScalarAsync<long?>("SELECT id FROM skus WHERE name = @sku", new { sku });
        v.When(role is not null && roleRow.Id == 0, "role", $"no role '{role}' exists (GET /api/v1/roles).");
        v.When(site is not null && siteId is null, "site", $"no site '{site}' exists (GET /api/v1/sites).");
        v.When(sku is not null && skuId is null, "sku", $"no SKU '{sku}' exists (GET /api/v1/skus).");
        if (roleRow.Id != 0 && siteId is not null && !MayAskFor(caller, roleRow.TeamId, site!))
            throw new ForbiddenException($"Asking for machines for role {role} needs a member of its team {roleRow.Team} or an operator of {site}; '{caller.Name}' is {caller.Describe()}.");
        if (role is not null && site is not null && count is >= 1 and <= MaxCount
            && HostnameTemplate.Problem(template, count.Value, role, site, options.Domain) is { } problem)
            v.Add("hostname_template", problem);
        v.ThrowIfInvalid();
        var found = await ImageRow.FindAsync(c, image!);
        v.When(found is null, "image", $"no image named '{image}'; see GET /api/v1/images.");
        v.When(found is not null && found.Kind != "install", "image", $"'{image}' is a {found?.Kind} image, not an install image.");
        v.ThrowIfInvalid();
        // A request that names no end takes its role's default lease, if the role has one; a pool's members do not expire.
        if (expiresAt is null && kind == "request" && roleRow.LeaseHours is { } hours) expiresAt = now.AddHours(hours);
        return new CapacityAsk(kind, roleRow.Id, siteId!.Value, skuId!.Value, count!.Value, image!, template, spread ?? true, expiresAt);
    }

    /// <summary>A request or pool as the checks on changing it need it.</summary>
    public sealed record Owner(string UserName, long TeamId, string Role, string Site, string Template, string Status);

    /// <summary>The request or pool <paramref name="id"/> of <paramref name="kind"/> (404 for the other kind), if the caller
    /// may change it: the role's team and the site's operators, and its submitter where <paramref name="submitterMay"/>.</summary>
    public static async Task<Owner> AuthorizeAsync(DataContext c, Caller caller, long id, string kind, string doing, bool submitterMay)
    {
        var owner = await c.QuerySingleOrDefaultAsync<Owner>(
            """
            SELECT q.user_name, ro.team_id, ro.name AS role, s.name AS site, q.hostname_template AS template, q.status FROM provisioning_requests q
            JOIN roles ro ON ro.id = q.role_id JOIN sites s ON s.id = q.site_id WHERE q.id = @id AND q.kind = @kind
            """, new { id, kind }) ?? throw new NotFoundException(kind, id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!(submitterMay && owner.UserName == caller.Name) && !MayAskFor(caller, owner.TeamId, owner.Site))
            throw new ForbiddenException($"{doing} {kind} {id} of role {owner.Role} needs {(submitterMay ? $"its submitter ({owner.UserName}), " : "")}" +
                                         $"a member of the role's team or an operator of {owner.Site}; '{caller.Name}' is {caller.Describe()}.");
        return owner;
    }

    /// <summary>The role's team (not its viewers) and the site's operators; a request's submitter may also cancel it.</summary>
    public static bool MayAskFor(Caller caller, long teamId, string site) =>
        caller.OperatesOn(site) || (caller.Grant != Caller.ViewerGrant && caller.Teams.ContainsKey(teamId));

    public Task<long> InsertAsync(DataContext c, string user, DateTimeOffset now) => c.ExecuteScalarAsync<long>(
        """
        INSERT INTO provisioning_requests (kind, role_id, site_id, sku_id, count, image, hostname_template, spread, expires_at, user_name, status,
                                           created_at, updated_at)
        VALUES (@Kind, @RoleId, @SiteId, @SkuId, @Count, @Image, @Template, @Spread, @ExpiresAt, @user, 'allocating', @now, @now) RETURNING id
        """, new { Kind, RoleId, SiteId, SkuId, Count, Image, Template, Spread, ExpiresAt, user, now });
}
