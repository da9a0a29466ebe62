using Dapper;
using Ingot.Server.Data;

namespace Ingot.Server.SelfService.Directory;

/// <summary>Ingot's side of a directory user: their users row (origin 'ldap'), their teams and their grant exactly as
/// the mapped groups say, written in one transaction; a user the directory no longer has is disabled and loses their
/// tokens.</summary>
public static class DirectoryAccounts
{
    public const string Origin = "ldap";

    /// <summary>users.disabled_by of a user the directory sync disabled (an admin's disable holds the admin's name).</summary>
    public const string DisabledByDirectory = "directory";

    /// <summary>What the user's groups give: teams that exist in Ingot (a mapped team not created yet gives nothing), and
    /// the highest grant (admin over operator over viewer).</summary>
    public sealed record Access(IReadOnlyList<string> Teams, bool Admin, string? Grant);

    public static Access AccessOf(DirectoryUser user, LdapOptions options)
    {
        var mapped = options.Groups.Where(g => user.Groups.Contains(LdapDirectory.Normalize(g.Dn))).ToList();
        var grants = mapped.Select(g => g.Grant).OfType<string>().ToHashSet();
        return new Access([.. mapped.Select(g => g.Team).OfType<string>().Distinct().Order(StringComparer.Ordinal)], grants.Contains("admin"),
            grants.Contains("operator") ? "operator" : grants.Contains("viewer") ? "viewer" : null);
    }

    /// <summary>Creates or updates the user from the directory; the user's id. A local user of that name is not taken
    /// over: null.</summary>
    public static async Task<long?> ApplyAsync(DataContext c, DirectoryUser user, Access access, DateTimeOffset now)
    {
        var name = user.Name.ToLowerInvariant();
        var existing = await c.QuerySingleOrDefaultAsync<(long Id, string Origin, string? DisabledBy)>(
            "SELECT id, origin, disabled_by FROM users WHERE name = @name", new { name });
        if (existing.Id != 0 && existing.Origin != Origin) return null;
        // An admin's disable stands until an admin's enable: the directory only undoes its own.
        if (existing.DisabledBy is { } by && by != DisabledByDirectory) throw new Api.ForbiddenException($"User '{name}' was disabled by {by}; an admin must enable them first.");
        var id = existing.Id != 0 ? existing.Id : await c.ExecuteScalarAsync<long>(
            "INSERT INTO users (name, is_admin, created_at, origin) VALUES (@name, FALSE, @now, @origin) RETURNING id", new { name, now, origin = Origin });
        await c.ExecuteAsync(
            """
            UPDATE users SET is_admin = @Admin, grant_level = @Grant, disabled_at = NULL, disabled_by = NULL,
                   email = COALESCE(@email, email), email_set_at = CASE WHEN @email IS NOT NULL AND (email IS NULL OR email <> @email) THEN @now ELSE email_set_at END
            WHERE id = @id
            """, new { id, access.Admin, access.Grant, email = user.Email?.ToLowerInvariant(), now });
        await c.ExecuteAsync(
            $"DELETE FROM team_members WHERE user_id = @id AND team_id NOT IN (SELECT id FROM teams WHERE {Sql.AnyOf(c, "name", "teams")})",
            new { id, teams = Sql.List(access.Teams) });
        await c.ExecuteAsync(
            $"""
            INSERT INTO team_members (team_id, user_id) SELECT t.id, @id FROM teams t
            WHERE {Sql.AnyOf(c, "t.name", "teams")} AND NOT EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = t.id AND m.user_id = @id)
            """, new { id, teams = Sql.List(access.Teams) });
        return id;
    }

    /// <summary>The directory no longer has the user (or no longer lets them in): no tokens, and no sign-in until it
    /// does again.</summary>
    public static Task DisableAsync(DataContext c, long userId, DateTimeOffset now) => Tokens.DisableUserAsync(c, userId, now, DisabledByDirectory, onlyIfEnabled: true);
}
