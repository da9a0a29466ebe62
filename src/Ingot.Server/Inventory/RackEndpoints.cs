using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Api;
using Ingot.Server.SelfService;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Ingot.Server.Inventory;

public static class RackEndpoints
{
    public static void MapRacks(this RouteGroupBuilder api)
    {
        var racks = api.MapGroup("/racks").WithTags("Racks");
        racks.MapGet("", ListAsync);
        racks.MapGet("/{id:long}", GetAsync);
        racks.MapPost("", CreateAsync);
        racks.MapDelete("/{id:long}", DeleteAsync);
    }

    private const string Select = "SELECT r.id, s.name AS site, r.name, r.created_at FROM racks r JOIN sites s ON s.id = r.site_id";

    private static async Task<Ok<List<RackView>>> ListAsync(string? site, Database db, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        if (string.IsNullOrWhiteSpace(site))
            return TypedResults.Ok((await c.QueryAsync<RackRow>(Select + " ORDER BY s.name, r.name")).Select(r => r.View()).ToList());

        site = site.Trim().ToLowerInvariant();
        // An unknown site is a 404 rather than an empty list, so a typo in the filter is not mistaken for an empty site.
        var siteId = await c.ExecuteScalarAsync<long?>("SELECT id FROM sites WHERE name = @site", new { site })
            ?? throw new NotFoundException("site", site);
        var rows = await c.QueryAsync<RackRow>(Select + " WHERE r.site_id = @siteId ORDER BY r.name", new { siteId });
        return TypedResults.Ok(rows.Select(r => r.View()).ToList());
    }

    private static async Task<Ok<RackView>> GetAsync(long id, Database db, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<RackRow>(Select + " WHERE r.id = @id", new { id });
        return TypedResults.Ok(row?.View() ?? throw new NotFoundException("rack", id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static async Task<Created<RackView>> CreateAsync(RackCreate body, HttpContext http, Database db, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var name = v.Slug("name", body.Name, "rack");
        var site = v.Required("site", body.Site)?.ToLowerInvariant();

        await using var c = await db.OpenAsync(ct);
        long? siteId = null;
        if (site is not null)
        {
            siteId = await c.ExecuteScalarAsync<long?>("SELECT id FROM sites WHERE name = @site", new { site });
            v.When(siteId is null, "site", $"no site '{site}' exists; create it first or pick one from 'ingot sites list'.");
        }
        v.ThrowIfInvalid();
        try
        {
            var id = await c.ExecuteScalarAsync<long>(
                "INSERT INTO racks (site_id, name, created_at) VALUES (@siteId, @name, @now) RETURNING id",
                new { siteId, name, now = clock.GetUtcNow() });
            var row = await c.QuerySingleAsync<RackRow>(Select + " WHERE r.id = @id", new { id });
            return TypedResults.Created($"/api/v1/racks/{id}", row.View());
        }
        catch (Exception e) when (DbErrors.IsUniqueViolation(e))
        {
            throw new ConflictException($"Rack '{name}' already exists in site '{site}'.");
        }
        catch (Exception e) when (DbErrors.IsForeignKeyViolation(e))
        {
            // The site was deleted between the look-up and the insert.
            throw new ValidationException("site", $"no site '{site}' exists; create it first.");
        }
    }

    private static async Task<NoContent> DeleteAsync(long id, HttpContext http, Database db, CancellationToken ct)
    {
        await ReferencedRows.DeleteAsync(db, "DELETE FROM racks WHERE id = @id", new { id },
            () => new NotFoundException("rack", id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            async c => $"Rack {id} still holds {await c.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM machines WHERE rack_id = @id", new { id })} machine(s); move or delete them first.", ct);
        return TypedResults.NoContent();
    }

    private sealed class RackRow
    {
        public long Id { get; init; }
        public string Site { get; init; } = "";
        public string Name { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public RackView View() => new(Id, Site, Name, CreatedAt);
    }
}
