using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Ingot.Server.SelfService;

/// <summary>API tokens. The plaintext is returned once, by the POST that creates it; afterwards the server
/// has only its hash, so no listing can leak it.</summary>
public static class TokenEndpoints
{
    public static void MapTokens(this RouteGroupBuilder api)
    {
        var tokens = api.MapGroup("/tokens").WithTags("Tokens");
        tokens.MapGet("", ListAsync);
        tokens.MapPost("", CreateAsync);
        tokens.MapDelete("/{id:long}", DeleteAsync);
    }

    private const string Select =
        """
        SELECT t.id, t.name, u.name AS user_name, t.created_at, t.expires_at, t.scope, cb.name AS created_by, t.origin
        FROM api_tokens t JOIN users u ON u.id = t.user_id LEFT JOIN users cb ON cb.id = t.created_by
        """;

    /// <summary>Whose tokens the caller sees and revokes: their own, and those of their teams' service accounts when they
    /// may manage them (docs/authorization.md); an admin everyone's.</summary>
    private static string Visible(DataContext c, Caller caller) =>
        caller.Admin ? "1 = 1"
        : caller.Teams.Keys.Any(t => caller.MayManageServiceAccountsOf(t))
            ? $"(t.user_id = @UserId OR t.user_id IN (SELECT id FROM users WHERE {Sql.AnyOf(c, "service_team_id", "teams")}))"
            : "t.user_id = @UserId";

    private static object Args(Caller caller, long? id = null) => new { id, caller.UserId, teams = Sql.List(caller.Teams.Keys) };

    /// <summary>The caller's own tokens and their teams' service accounts'; an admin sees everyone's.</summary>
    private static async Task<Ok<List<TokenView>>> ListAsync(HttpContext http, Database db, CancellationToken ct)
    {
        var caller = Caller.From(http);
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<TokenRow>($"{Select} WHERE {Visible(c, caller)} ORDER BY t.id", Args(caller));
        return TypedResults.Ok(rows.Select(r => r.View()).ToList());
    }

    private static async Task<Created<TokenCreated>> CreateAsync(TokenCreate body, HttpContext http, Database db, TimeProvider clock, CancellationToken ct)
    {
        var caller = Caller.From(http);
        var userName = string.IsNullOrWhiteSpace(body.User) ? caller.Name : body.User.Trim().ToLowerInvariant();

        var now = clock.GetUtcNow();
        var v = new Validation();
        // A name is only a label for listing and revoking; one the caller did not choose says when it was made.
        var name = string.IsNullOrWhiteSpace(body.Name) ? $"token-{now:yyyyMMdd-HHmmss}" : body.Name.Trim();
        v.When(name.Length > 100, "name", "must be at most 100 characters.");
        v.When(body.ExpiresAt <= now, "expires_at",
            $"{body.ExpiresAt:O} is not in the future (server time {now:O}); omit it for a token that does not expire.");
        var scope = Scope(body.Scope, v);

        await using var c = await db.OpenAsync(ct);
        var user = await c.QuerySingleOrDefaultAsync<(long Id, long? ServiceTeamId)>(
            "SELECT id, service_team_id FROM users WHERE name = @userName", new { userName });
        // Someone else's token: an admin's to make, or a team member's for their team's service account.
        if (userName != caller.Name && !(user.ServiceTeamId is not null && caller.MayManageServiceAccountsOf(user.ServiceTeamId)))
            caller.RequireAdmin($"Creating a token for '{userName}' (unless it is a service account of your team)");
        var userId = user.Id == 0 ? (long?)null : user.Id;
        v.When(userId is null, "user", $"no user '{userName}' exists; create it first with POST /api/v1/users.");
        v.ThrowIfInvalid();

        var token = Tokens.Generate();
        var id = await Tokens.InsertAsync(c, userId!.Value, name, token, now, body.ExpiresAt, scope: scope?.Stored, createdBy: caller.UserId);
        var row = await c.QuerySingleAsync<TokenRow>(Select + " WHERE t.id = @id", new { id });
        return TypedResults.Created($"/api/v1/tokens/{id}",
            new TokenCreated(row.Id, row.Name, row.UserName, token, row.CreatedAt, row.ExpiresAt, row.View().Scope, row.CreatedBy));
    }

    /// <summary>null (the user's full rights), "read" alone, or job actions of the permission table (docs/authorization.md).</summary>
    private static TokenScope? Scope(IReadOnlyList<string>? names, Validation v)
    {
        if (names is null) return null;
        var actions = Permissions.MachineActions.Select(a => a.Action).ToList();
        v.When(names.Count == 0, "scope", "is empty; omit it (or send null) for a token with its user's full rights, or use \"read\" or job actions.");
        for (var i = 0; i < names.Count; i++)
        {
            var n = names[i]?.Trim() ?? "";
            if (n == TokenScope.Read) v.When(names.Count > 1, $"scope[{i}]", "'read' stands alone: every scoped token reads; list only the actions it may submit besides.");
            else if (!actions.Contains(n)) v.Add($"scope[{i}]", $"'{n}' is not a job action; use \"read\" or some of {string.Join(", ", actions)}.");
        }
        return new TokenScope([.. names.Select(n => n?.Trim() ?? "").Where(n => n != TokenScope.Read).Distinct()]);
    }

    /// <summary>Revokes a token at once: the next request that presents it gets a 401. The caller's own, their teams'
    /// service accounts' (when they may manage them), or, for an admin, anyone's.</summary>
    private static async Task<NoContent> DeleteAsync(long id, HttpContext http, Database db, CancellationToken ct)
    {
        var caller = Caller.From(http);
        await using var c = await db.OpenAsync(ct);
        // Another user's token answers 404 like a missing one, so ids cannot be probed for existence.
        var deleted = await c.ExecuteAsync($"DELETE FROM api_tokens WHERE id = @id AND id IN (SELECT t.id FROM api_tokens t WHERE {Visible(c, caller)})", Args(caller, id));
        if (deleted == 0) throw new NotFoundException("token", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return TypedResults.NoContent();
    }

    private sealed class TokenRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string UserName { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset? ExpiresAt { get; init; }
        public string? Scope { get; init; }
        public string? CreatedBy { get; init; }
        public string Origin { get; init; } = "api";
        public TokenView View() => new(Id, Name, UserName, CreatedAt, ExpiresAt, TokenScope.Parse(Scope)?.Names, CreatedBy, Origin);
    }
}
