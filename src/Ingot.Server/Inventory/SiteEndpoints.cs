using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Api;
using Ingot.Server.SelfService;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Ingot.Server.Inventory;

public static class SiteEndpoints
{
    public static void MapSites(this RouteGroupBuilder api)
    {
        var sites = api.MapGroup("/sites").WithTags("Sites");
        sites.MapGet("", ListAsync);
        sites.MapGet("/{name}", GetAsync);
        sites.MapPost("", CreateAsync);
        sites.MapPatch("/{name}", UpdateAsync);
        sites.MapDelete("/{name}", DeleteAsync);
    }

    private const string Columns = "id, name, description, created_at, in_use_hook, in_use_hook_fail_open";
    private const string Select = $"SELECT {Columns} FROM sites";

    private static async Task<Ok<List<SiteView>>> ListAsync(Database db, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return TypedResults.Ok((await c.QueryAsync<SiteRow>(Select + " ORDER BY name")).Select(r => r.View()).ToList());
    }

    private static async Task<Ok<SiteView>> GetAsync(string name, Database db, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<SiteRow>(Select + " WHERE name = @name", new { name });
        return TypedResults.Ok(row?.View() ?? throw new NotFoundException("site", name));
    }

    private static async Task<Created<SiteView>> CreateAsync(SiteCreate body, HttpContext http, Database db, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var name = v.Slug("name", body.Name, "site");
        var hook = InUseHookField.Check(v, body.InUseHook);
        v.ThrowIfInvalid();
        await using var c = await db.OpenAsync(ct);
        try
        {
            var row = await c.QuerySingleAsync<SiteRow>(
                $"""
                INSERT INTO sites (name, description, created_at, in_use_hook, in_use_hook_fail_open)
                VALUES (@name, @description, @now, @hook, @failOpen) RETURNING {Columns}
                """,
                new { name, description = body.Description, now = clock.GetUtcNow(), hook = hook is { Length: > 0 } ? hook : null, failOpen = body.InUseHookFailOpen == true });
            return TypedResults.Created($"/api/v1/sites/{name}", row.View());
        }
        catch (Exception e) when (DbErrors.IsUniqueViolation(e))
        {
            throw new ConflictException($"Site '{name}' already exists.");
        }
    }

    private static async Task<Ok<SiteView>> UpdateAsync(string name, SiteCreate body, HttpContext http, Database db, CancellationToken ct)
    {
        Preconditions.RequireUntaggedMatch(http, "Sites");
        if (body.Name is not null && body.Name != name)
            throw new ValidationException("name", "a site cannot be renamed; create a new one and move its racks.");
        var v = new Validation();
        var hook = InUseHookField.Check(v, body.InUseHook);
        v.ThrowIfInvalid();
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<SiteRow>(
            $"""
            UPDATE sites SET description = NULLIF(COALESCE(@description, description), ''),
                             in_use_hook = NULLIF(COALESCE(@hook, in_use_hook), ''),
                             in_use_hook_fail_open = COALESCE(@failOpen, in_use_hook_fail_open)
            WHERE name = @name RETURNING {Columns}
            """,
            new { name, description = body.Description, hook, failOpen = body.InUseHookFailOpen });
        return TypedResults.Ok(row?.View() ?? throw new NotFoundException("site", name));
    }

    private static async Task<NoContent> DeleteAsync(string name, HttpContext http, Database db, CancellationToken ct)
    {
        await ReferencedRows.DeleteAsync(db, "DELETE FROM sites WHERE name = @name", new { name }, () => new NotFoundException("site", name),
            _ => Task.FromResult($"Site '{name}' still has racks or machines; move or delete them first."), ct);
        return TypedResults.NoContent();
    }

    private sealed class SiteRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string? Description { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public string? InUseHook { get; init; }
        public bool InUseHookFailOpen { get; init; }
        public SiteView View() => new(Id, Name, Description, CreatedAt, InUseHook, InUseHookFailOpen);
    }
}
