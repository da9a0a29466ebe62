using Ingot.Server.Api;
using Ingot.Server.Data;
using Microsoft.Extensions.Logging;

namespace Ingot.Server.SelfService;

/// <summary>Makes sure someone can log in to a new server. On an empty database it creates the
/// <c>admin</c> user and a token written to DATA/admin-token (mode 0600). When INGOT_ADMIN_TOKEN is
/// set, that token is registered for <c>admin</c> instead (for automation), on every start.</summary>
public static class AdminBootstrap
{
    public const string AdminUser = "admin";

    public static async Task RunAsync(Database db, string dataDirectory, string? presetToken, TimeProvider clock, ILogger log, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var created = await db.InTransactionAsync(async c =>
        {
            var empty = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM users") == 0;
            // ON CONFLICT: two servers starting at once on one empty PostgreSQL create one admin, and
            // only the one whose insert landed writes a bootstrap token.
            var inserted = empty && await c.ExecuteAsync(
                "INSERT INTO users (name, is_admin, created_at) VALUES (@name, @admin, @now) ON CONFLICT (name) DO NOTHING",
                new { name = AdminUser, admin = true, now }) == 1;
            var adminId = await c.ExecuteScalarAsync<long?>("SELECT id FROM users WHERE name = @name", new { name = AdminUser });
            if (presetToken is { Length: > 0 } && adminId is { } id)
            {
                // The same token on every start is a no-op; ON CONFLICT keeps concurrent starts on one PostgreSQL safe. A
                // changed INGOT_ADMIN_TOKEN is a rotation: the one it replaces stops working.
                var hash = Tokens.Hash(presetToken);
                await c.ExecuteAsync("DELETE FROM api_tokens WHERE user_id = @id AND name = 'INGOT_ADMIN_TOKEN' AND token_hash <> @hash", new { id, hash });
                await c.ExecuteAsync(
                    """
                    INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (@id, 'INGOT_ADMIN_TOKEN', @hash, @now)
                    ON CONFLICT (token_hash) DO NOTHING
                    """, new { id, hash, now });
                return null;
            }
            if (!inserted || adminId is null) return null;
            var token = Tokens.Generate();
            await c.ExecuteAsync(
                "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (@adminId, 'bootstrap', @hash, @now)",
                new { adminId, hash = Tokens.Hash(token), now });
            return token;
        }, ct);

        if (presetToken is { Length: > 0 })
        {
            log.LogInformation("Admin token taken from INGOT_ADMIN_TOKEN");
            return;
        }
        if (created is null) return;
        var path = Path.Combine(dataDirectory, "admin-token");
        PrivateFiles.CreateDirectory(dataDirectory);
        await PrivateFiles.WriteAsync(path, created + "\n", ct);
        log.LogWarning("New database: created user 'admin' and wrote its API token to {Path} (mode 0600)", Path.GetFullPath(path));
    }
}
