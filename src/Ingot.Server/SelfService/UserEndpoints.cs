using System.Data.Common;
using System.Text.RegularExpressions;
using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Ingot.Server.SelfService;

public static partial class UserEndpoints
{
    public static void MapUsers(this RouteGroupBuilder api)
    {
        var users = api.MapGroup("/users").WithTags("Users");
        users.MapGet("", ListAsync);
        users.MapGet("/{name}", GetAsync);
        users.MapPost("", CreateAsync);
        users.MapPatch("/{name}", UpdateAsync);
        users.MapPost("/{name}/disable", DisableAsync);
        users.MapPost("/{name}/enable", EnableAsync);
        api.MapGet("/whoami", WhoAmIAsync).WithTags("Users");
    }

    // Wider than a slug: user names come from directories (LDAP uid, OIDC e-mail), which use dots, underscores and @.
    [GeneratedRegex("^[a-z0-9][a-z0-9._@-]{0,127}$")]
    private static partial Regex UserName();

    /// <summary>Whether <paramref name="name"/> (lower case) may be a user's name: what a directory gives is held to it too.</summary>
    internal static bool IsValidName(string name) => UserName().IsMatch(name);

    private const string Select =
        "SELECT u.id, u.name, u.is_admin, u.grant_level, u.created_at, st.name AS service_of, u.operator_sites, u.email, u.origin, u.disabled_at, u.disabled_by FROM users u LEFT JOIN teams st ON st.id = u.service_team_id";

    private static async Task<Ok<List<UserView>>> ListAsync(Database db, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var users = await c.QueryAsync<UserRow>(Select + " ORDER BY u.name");
        var teams = (await c.QueryAsync<(long UserId, string Team)>(
                "SELECT tm.user_id, t.name FROM team_members tm JOIN teams t ON t.id = tm.team_id ORDER BY t.name"))
            .ToLookup(m => m.UserId, m => m.Team);
        return TypedResults.Ok(users.Select(u => u.View([.. teams[u.Id]])).ToList());
    }

    private static async Task<Ok<UserView>> GetAsync(string name, Database db, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return TypedResults.Ok(await FindAsync(c, name) ?? throw new NotFoundException("user", name));
    }

    private static async Task<Created<UserView>> CreateAsync(UserCreate body, HttpContext http, Database db, TimeProvider clock, CancellationToken ct)
    {
        var caller = Caller.From(http);
        var serviceOf = string.IsNullOrWhiteSpace(body.ServiceOf) ? null : body.ServiceOf.Trim().ToLowerInvariant();
        if (serviceOf is null) caller.RequireAdmin("Creating a user");
        var v = new Validation();
        var name = v.Required("name", body.Name)?.ToLowerInvariant();
        if (name is not null)
            v.When(!UserName().IsMatch(name), "name",
                $"'{name}' is not a valid user name: use 1-128 lower-case letters, digits, '.', '_', '@' and '-', starting with a letter or digit.");
        var grant = string.IsNullOrWhiteSpace(body.Grant) ? null : body.Grant.Trim().ToLowerInvariant();
        v.When(grant is not null && !Caller.Grants.Contains(grant), "grant",
            $"'{grant}' is not a grant; use one of {string.Join(", ", Caller.Grants)}, or none for a team member (an admin is admin: true).");

        var email = PlainEmail(v, body.Email);
        var sites = body.Sites?.Select(x => x?.Trim().ToLowerInvariant() ?? "").ToList();
        v.When(sites is { Count: > 0 } && grant != Caller.OperatorGrant, "sites", "only an operator is limited to sites; give grant: operator too.");
        if (serviceOf is not null)
        {
            // A robot of one team: it has that team's rights and nothing beside them.
            v.When(body.Admin == true, "admin", "a service account cannot be an admin; it acts with its team's rights.");
            v.When(grant is not null, "grant", "a service account takes no grant; it acts with its team's rights.");
            v.When(body.Teams is { Count: > 0 }, "teams", $"a service account belongs to its team '{serviceOf}' only; omit teams.");
        }

        var user = await db.InTransactionAsync(async c =>
        {
            var teamIds = new HashSet<long>();
            long? serviceTeamId = null;
            if (serviceOf is not null)
            {
                serviceTeamId = await c.ExecuteScalarAsync<long?>("SELECT id FROM teams WHERE name = @serviceOf", new { serviceOf });
                if (!caller.MayManageServiceAccountsOf(serviceTeamId))
                    throw new ForbiddenException($"Creating a service account of team '{serviceOf}' needs an admin or a member of that team; '{caller.Name}' is {caller.Describe()}.");
                if (serviceTeamId is { } id) teamIds.Add(id);
                else v.Add("service_of", $"no team '{serviceOf}' exists; create it first.");
            }
            for (var i = 0; i < (body.Teams?.Count ?? 0); i++)
            {
                var team = body.Teams![i]?.Trim().ToLowerInvariant();
                var id = string.IsNullOrEmpty(team) ? null
                    : await c.ExecuteScalarAsync<long?>("SELECT id FROM teams WHERE name = @team", new { team });
                if (id is { } found) teamIds.Add(found);
                else v.Add($"teams[{i}]", string.IsNullOrEmpty(team) ? "is empty." : $"no team '{team}' exists; create it first.");
            }
            for (var i = 0; i < (sites?.Count ?? 0); i++)
                if (await c.ExecuteScalarAsync<long?>("SELECT id FROM sites WHERE name = @site", new { site = sites![i] }) is null)
                    v.Add($"sites[{i}]", sites[i].Length == 0 ? "is empty." : $"no site '{sites[i]}' exists.");
            v.ThrowIfInvalid();
            try
            {
                var userId = await c.ExecuteScalarAsync<long>(
                    """
                    INSERT INTO users (name, is_admin, grant_level, created_at, service_team_id, operator_sites, email, email_set_at)
                    VALUES (@name, @admin, @grant, @now, @serviceTeamId, @operatorSites, @email, CASE WHEN @email IS NULL THEN NULL ELSE @now END)
                    RETURNING id
                    """, new
                    {
                        name, admin = body.Admin ?? false, grant, now = clock.GetUtcNow(), serviceTeamId, email,
                        operatorSites = sites is { Count: > 0 } ? System.Text.Json.JsonSerializer.Serialize(sites.Distinct()) : null,
                    });
                foreach (var teamId in teamIds)
                    await c.ExecuteAsync("INSERT INTO team_members (team_id, user_id) VALUES (@teamId, @userId)", new { teamId, userId });
                return (await FindAsync(c, name!))!;
            }
            catch (Exception e) when (DbErrors.IsUniqueViolation(e))
            {
                throw new ConflictException($"User '{name}' already exists.");
            }
        }, ct);
        return TypedResults.Created($"/api/v1/users/{user.Name}", user);
    }

    /// <summary>The user's own settings, which they change themselves (an admin may too): their e-mail address.</summary>
    private static async Task<Ok<UserView>> UpdateAsync(string name, UserUpdate? body, HttpContext http, Database db, TimeProvider clock, CancellationToken ct)
    {
        var caller = Caller.From(http);
        var v = new Validation();
        var email = body?.Email is "" ? "" : PlainEmail(v, body?.Email);
        return TypedResults.Ok(await db.InTransactionAsync(async c =>
        {
            // Users are no secret (anyone signed in lists them): an unknown name is a 404 for everyone, then the refusal.
            if (await c.ExecuteScalarAsync<long?>("SELECT id FROM users WHERE name = @name", new { name }) is null) throw new NotFoundException("user", name);
            if (!caller.Admin && caller.Name != name)
                throw new ForbiddenException($"Changing user '{name}' needs that user or an admin; '{caller.Name}' is {caller.Describe()}.");
            v.ThrowIfInvalid();
            // email_set_at moves only when the address does: the default subscription sends from that moment.
            await c.ExecuteAsync(
                """
                UPDATE users SET email = NULLIF(COALESCE(@email, email), ''),
                                 email_set_at = CASE WHEN @email IS NULL OR @email = COALESCE(email, '') THEN email_set_at
                                                     WHEN @email = '' THEN NULL ELSE @now END
                WHERE name = @name
                """, new { name, email, now = clock.GetUtcNow() });
            return (await FindAsync(c, name))!;
        }, ct));
    }

    /// <summary>One plain address, trimmed (no display name, no list: it becomes a subscription's target); null when
    /// absent or invalid (the problem goes into <paramref name="v"/>).</summary>
    private static string? PlainEmail(Validation v, string? email)
    {
        if (email is null) return null;
        var trimmed = email.Trim();
        var plain = trimmed.Length <= 254 && System.Net.Mail.MailAddress.TryCreate(trimmed, out var parsed) && parsed.Address == trimmed
                    && parsed.DisplayName.Length == 0 && !trimmed.Contains(',');
        v.When(!plain, "email", $"'{email}' is not one plain e-mail address (like alice@example.com).");
        return plain ? trimmed : null;
    }

    private static async Task<Ok<WhoAmI>> WhoAmIAsync(HttpContext http, Database db, CancellationToken ct)
    {
        var caller = Caller.From(http);
        await using var c = await db.OpenAsync(ct);
        return TypedResults.Ok(new WhoAmI(caller.Name, caller.Admin, await TeamsAsync(c, caller.UserId), caller.Grant,
            caller.Scope?.Names, caller.TokenExpiresAt, caller.ServiceOf));
    }

    /// <summary>Disables a user at once: every token of theirs is revoked, and no sign-in works until an admin enables
    /// them (a directory user's sign-in does not undo an admin's disable). An admin cannot disable themselves.</summary>
    private static async Task<Ok<UserView>> DisableAsync(string name, HttpContext http, Database db, TimeProvider clock, CancellationToken ct)
    {
        var caller = Caller.From(http);
        caller.RequireAdmin("Disabling a user");
        name = name.Trim().ToLowerInvariant();
        if (name == caller.Name) throw new ConflictException("You cannot disable yourself: another admin must (so that an admin is always left).");
        return TypedResults.Ok(await db.InTransactionAsync(async c =>
        {
            var id = await c.ExecuteScalarAsync<long?>("SELECT id FROM users WHERE name = @name", new { name }) ?? throw new NotFoundException("user", name);
            await Tokens.DisableUserAsync(c, id, clock.GetUtcNow(), caller.Name);
            return (await FindAsync(c, name))!;
        }, ct));
    }

    /// <summary>Enables a disabled user again (they need a new token or sign-in: the old ones are gone).</summary>
    private static async Task<Ok<UserView>> EnableAsync(string name, HttpContext http, Database db, CancellationToken ct)
    {
        Caller.From(http).RequireAdmin("Enabling a user");
        name = name.Trim().ToLowerInvariant();
        return TypedResults.Ok(await db.InTransactionAsync(async c =>
        {
            if (await c.ExecuteAsync("UPDATE users SET disabled_at = NULL, disabled_by = NULL WHERE name = @name", new { name }) == 0)
                throw new NotFoundException("user", name);
            return (await FindAsync(c, name))!;
        }, ct));
    }

    internal static async Task<UserView?> FindAsync(DataContext c, string name)
    {
        var row = await c.QuerySingleOrDefaultAsync<UserRow>(Select + " WHERE u.name = @name", new { name });
        return row?.View(await TeamsAsync(c, row.Id));
    }

    private static async Task<List<string>> TeamsAsync(DataContext c, long userId) =>
        (await c.QueryAsync<string>(
            "SELECT t.name FROM team_members tm JOIN teams t ON t.id = tm.team_id WHERE tm.user_id = @userId ORDER BY t.name",
            new { userId })).ToList();

    private sealed class UserRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public bool IsAdmin { get; init; }
        public string? GrantLevel { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public string? ServiceOf { get; init; }
        public string? OperatorSites { get; init; }
        public string? Email { get; init; }
        public string Origin { get; init; } = "local";
        public DateTimeOffset? DisabledAt { get; init; }
        public string? DisabledBy { get; init; }
        public UserView View(IReadOnlyList<string> teams) => new(Id, Name, IsAdmin, teams, CreatedAt, GrantLevel, ServiceOf,
            OperatorSites is null ? null : System.Text.Json.JsonSerializer.Deserialize<List<string>>(OperatorSites), Email, Origin, DisabledAt, DisabledBy);
    }
}
