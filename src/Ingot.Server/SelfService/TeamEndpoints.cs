using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Api;
using Ingot.Server.Inventory;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Ingot.Server.SelfService;

public static class TeamEndpoints
{
    public static void MapTeams(this RouteGroupBuilder api)
    {
        var teams = api.MapGroup("/teams").WithTags("Teams");
        teams.MapGet("", ListAsync);
        teams.MapGet("/{name}", GetAsync);
        teams.MapPost("", CreateAsync);
        teams.MapDelete("/{name}", DeleteAsync);
        teams.MapPost("/{name}/members", AddMemberAsync);
        teams.MapDelete("/{name}/members/{user}", RemoveMemberAsync);
    }

    /// <summary>Adds a user to the team (200 with the user, whose teams then include it; adding a member again changes
    /// nothing). Rights follow at once: the token lookup reads a caller's teams on every request.</summary>
    private static async Task<Ok<UserView>> AddMemberAsync(string name, TeamMemberAdd body, HttpContext http, Database db, CancellationToken ct)
    {
        var user = new Validation().Required("user", body.User)?.ToLowerInvariant() ?? throw new ValidationException("user", "is required.");
        return TypedResults.Ok(await db.InTransactionAsync(async c =>
        {
            var (teamId, userId) = await IdsAsync(c, name, user);
            if (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM team_members WHERE team_id = @teamId AND user_id = @userId", new { teamId, userId }) == 0)
                await c.ExecuteAsync("INSERT INTO team_members (team_id, user_id) VALUES (@teamId, @userId)", new { teamId, userId });
            return (await UserEndpoints.FindAsync(c, user))!;
        }, ct));
    }

    /// <summary>Removes a user from the team (204): from their next request on, they act on none of its machines, and the
    /// tokens they made for the team's service accounts are revoked with the membership (a robot's token must not keep
    /// the rights its maker lost).</summary>
    private static async Task<NoContent> RemoveMemberAsync(string name, string user, HttpContext http, Database db, CancellationToken ct)
    {
        user = user.ToLowerInvariant();
        await db.InTransactionAsync(async c =>
        {
            var (teamId, userId) = await IdsAsync(c, name, user);
            // A service account is its team's: without the membership it would be a robot of nobody's.
            if (await c.ExecuteScalarAsync<long?>("SELECT service_team_id FROM users WHERE id = @userId", new { userId }) == teamId)
                throw new ConflictException($"'{user}' is a service account of team '{name}' and stays in it; revoke its tokens instead.");
            if (await c.ExecuteAsync("DELETE FROM team_members WHERE team_id = @teamId AND user_id = @userId", new { teamId, userId }) == 0)
                throw new NotFoundException("member", $"{user}' in team '{name}");
            await c.ExecuteAsync(
                "DELETE FROM api_tokens WHERE created_by = @userId AND user_id IN (SELECT id FROM users WHERE service_team_id = @teamId)",
                new { teamId, userId });
            return 0;
        }, ct);
        return TypedResults.NoContent();
    }

    private static async Task<(long Team, long User)> IdsAsync(DataContext c, string team, string user)
    {
        var teamId = await c.ExecuteScalarAsync<long?>("SELECT id FROM teams WHERE name = @team", new { team }) ?? throw new NotFoundException("team", team);
        var userId = await c.ExecuteScalarAsync<long?>("SELECT id FROM users WHERE name = @user", new { user }) ?? throw new NotFoundException("user", user);
        return (teamId, userId);
    }

    private const string Select = "SELECT id, name, created_at FROM teams";

    private static async Task<Ok<List<TeamView>>> ListAsync(Database db, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return TypedResults.Ok((await c.QueryAsync<TeamRow>(Select + " ORDER BY name")).Select(r => r.View()).ToList());
    }

    private static async Task<Ok<TeamView>> GetAsync(string name, Database db, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<TeamRow>(Select + " WHERE name = @name", new { name });
        return TypedResults.Ok(row?.View() ?? throw new NotFoundException("team", name));
    }

    private static async Task<Created<TeamView>> CreateAsync(TeamCreate body, HttpContext http, Database db, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var name = v.Slug("name", body.Name, "team");
        v.ThrowIfInvalid();
        await using var c = await db.OpenAsync(ct);
        try
        {
            var row = await c.QuerySingleAsync<TeamRow>(
                "INSERT INTO teams (name, created_at) VALUES (@name, @now) RETURNING id, name, created_at",
                new { name, now = clock.GetUtcNow() });
            return TypedResults.Created($"/api/v1/teams/{name}", row.View());
        }
        catch (Exception e) when (DbErrors.IsUniqueViolation(e))
        {
            throw new ConflictException($"Team '{name}' already exists.");
        }
    }

    private static async Task<NoContent> DeleteAsync(string name, HttpContext http, Database db, CancellationToken ct)
    {
        // Memberships go with the team (ON DELETE CASCADE); roles do not, because a role must always have an owner.
        await ReferencedRows.DeleteAsync(db, "DELETE FROM teams WHERE name = @name", new { name }, () => new NotFoundException("team", name),
            async c => $"Team '{name}' still owns roles {string.Join(", ", await c.QueryAsync<string>(
                "SELECT r.name FROM roles r JOIN teams t ON t.id = r.team_id WHERE t.name = @name ORDER BY r.name", new { name }))}; " +
                "give them to another team first (PATCH /api/v1/roles/<name>).", ct);
        return TypedResults.NoContent();
    }

    private sealed class TeamRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public TeamView View() => new(Id, Name, CreatedAt);
    }
}
