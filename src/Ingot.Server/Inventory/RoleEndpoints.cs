using System.Data.Common;
using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Api;
using Ingot.Server.SelfService;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Ingot.Server.Inventory;

/// <summary>Roles say what a machine is for; the owning team may manage every machine of its roles, so
/// changing a role's team is how ownership of a service's machines is transferred.</summary>
public static class RoleEndpoints
{
    public static void MapRoles(this RouteGroupBuilder api)
    {
        var roles = api.MapGroup("/roles").WithTags("Roles");
        roles.MapGet("", ListAsync);
        roles.MapGet("/{name}", GetAsync);
        roles.MapPost("", CreateAsync);
        roles.MapPatch("/{name}", UpdateAsync);
        roles.MapDelete("/{name}", DeleteAsync);
    }

    private const string Select =
        "SELECT r.id, r.name, t.name AS team, r.description, r.created_at, r.in_use_hook, r.in_use_hook_fail_open, r.lease_hours FROM roles r JOIN teams t ON t.id = r.team_id";

    private static async Task<Ok<List<RoleView>>> ListAsync(Database db, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return TypedResults.Ok((await c.QueryAsync<RoleRow>(Select + " ORDER BY r.name")).Select(r => r.View()).ToList());
    }

    private static async Task<Ok<RoleView>> GetAsync(string name, Database db, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return TypedResults.Ok(await FindAsync(c, name) ?? throw new NotFoundException("role", name));
    }

    private static async Task<Created<RoleView>> CreateAsync(RoleCreate body, HttpContext http, Database db, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var name = v.Slug("name", body.Name, "role");
        var team = v.Required("team", body.Team)?.ToLowerInvariant();
        var hook = InUseHookField.Check(v, body.InUseHook);
        v.When(body.LeaseHours is < 1 or > MaxLeaseHours, "lease_hours", $"must be from 1 to {MaxLeaseHours} hours; omit it for machines that do not expire.");
        await using var c = await db.OpenAsync(ct);
        var teamId = team is null ? null : await TeamIdAsync(c, v, team);
        v.ThrowIfInvalid();
        try
        {
            await c.ExecuteAsync(
                """
                INSERT INTO roles (name, team_id, description, created_at, in_use_hook, in_use_hook_fail_open, lease_hours)
                VALUES (@name, @teamId, @description, @now, @hook, @failOpen, @LeaseHours)
                """,
                new { name, teamId, description = Blank(body.Description), now = clock.GetUtcNow(), hook = Blank(hook), failOpen = body.InUseHookFailOpen == true, body.LeaseHours });
        }
        catch (Exception e) when (DbErrors.IsUniqueViolation(e))
        {
            throw new ConflictException($"Role '{name}' already exists; to give it to another team, PATCH its team.");
        }
        catch (Exception e) when (DbErrors.IsForeignKeyViolation(e))
        {
            throw new ValidationException("team", $"no team '{team}' exists; create it first.");
        }
        return TypedResults.Created($"/api/v1/roles/{name}", (await FindAsync(c, name!))!);
    }

    /// <summary>Absent fields keep their value; an empty description or in_use_hook clears it.</summary>
    private static async Task<Ok<RoleView>> UpdateAsync(string name, RoleCreate body, HttpContext http, Database db, CancellationToken ct)
    {
        Preconditions.RequireUntaggedMatch(http, "Roles");
        var v = new Validation();
        v.When(body.Name is not null && body.Name != name, "name",
            "a role cannot be renamed, because machine hostnames are made from it; create a new role instead.");
        var team = body.Team?.Trim().ToLowerInvariant();
        v.When(team is { Length: 0 }, "team", "a role always has an owning team; name the team that takes it over.");
        var hook = InUseHookField.Check(v, body.InUseHook);
        v.When(body.LeaseHours is < 0 or > MaxLeaseHours, "lease_hours", $"must be from 1 to {MaxLeaseHours} hours, or 0 to remove the default lease.");
        await using var c = await db.OpenAsync(ct);
        var teamId = team is { Length: > 0 } ? await TeamIdAsync(c, v, team) : null;
        v.ThrowIfInvalid();
        try
        {
            var changed = await c.ExecuteAsync(
                """
                UPDATE roles SET
                    team_id = COALESCE(@teamId, team_id),
                    description = CASE WHEN @setDescription THEN @description ELSE description END,
                    in_use_hook = CASE WHEN @setHook THEN @hook ELSE in_use_hook END,
                    in_use_hook_fail_open = COALESCE(@failOpen, in_use_hook_fail_open),
                    lease_hours = CASE WHEN @setLease THEN @lease ELSE lease_hours END
                WHERE name = @name
                """,
                new
                {
                    name, teamId, setDescription = body.Description is not null, description = Blank(body.Description),
                    setHook = hook is not null, hook = Blank(hook), failOpen = body.InUseHookFailOpen,
                    setLease = body.LeaseHours is not null, lease = body.LeaseHours is > 0 ? body.LeaseHours : null,
                });
            if (changed == 0) throw new NotFoundException("role", name);
        }
        catch (Exception e) when (DbErrors.IsForeignKeyViolation(e))
        {
            throw new ValidationException("team", $"no team '{team}' exists; create it first.");
        }
        return TypedResults.Ok((await FindAsync(c, name))!);
    }

    private static async Task<NoContent> DeleteAsync(string name, HttpContext http, Database db, CancellationToken ct)
    {
        await ReferencedRows.DeleteAsync(db, "DELETE FROM roles WHERE name = @name", new { name }, () => new NotFoundException("role", name),
            async c => $"Role '{name}' still has {await c.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM machines m JOIN roles r ON r.id = m.role_id WHERE r.name = @name", new { name })} machine(s); recycle them or give them another role first.", ct);
        return TypedResults.NoContent();
    }

    private static async Task<long?> TeamIdAsync(DataContext c, Validation v, string team)
    {
        var id = await c.ExecuteScalarAsync<long?>("SELECT id FROM teams WHERE name = @team", new { team });
        v.When(id is null, "team", $"no team '{team}' exists; create it first or pick one from 'ingot teams list'.");
        return id;
    }

    private static async Task<RoleView?> FindAsync(DataContext c, string name) =>
        (await c.QuerySingleOrDefaultAsync<RoleRow>(Select + " WHERE r.name = @name", new { name }))?.View();

    /// <summary>Ten years: a default lease beyond it is a typo, not a lease.</summary>
    public const int MaxLeaseHours = 87_600;

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private sealed class RoleRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Team { get; init; } = "";
        public string? Description { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public string? InUseHook { get; init; }
        public bool InUseHookFailOpen { get; init; }
        public int? LeaseHours { get; init; }
        public RoleView View() => new(Id, Name, Team, Description, CreatedAt, InUseHook, InUseHookFailOpen, LeaseHours);
    }
}
