using System.Security.Cryptography;
using System.Text;
using Dapper;
using Ingot.Server.Data;

namespace Ingot.Server.SelfService;

/// <summary>API tokens: 256 random bits, shown once, stored only as a SHA-256 hash. A fast hash is
/// enough here (unlike passwords) because the token has full entropy: there is nothing to brute-force.</summary>
public static class Tokens
{
    public const string Prefix = "ingot_";

    public static string Generate() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Stores a new token of a user (its hash only); its id. <paramref name="origin"/>: <c>api</c>, or the sign-in
    /// that issued it.</summary>
    public static Task<long> InsertAsync(DataContext c, long userId, string name, string token, DateTimeOffset now, DateTimeOffset? expires,
                                         string origin = "api", string? scope = null, long? createdBy = null) =>
        c.ExecuteScalarAsync<long>(
            """
            INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at, scope, created_by, origin)
            VALUES (@userId, @name, @hash, @now, @expires, @scope, @createdBy, @origin) RETURNING id
            """, new { userId, name, hash = Hash(token), now, expires, scope, createdBy, origin });

    /// <summary>Disables a user, by <paramref name="by"/> (an admin's name, or the directory sync's marker): every token
    /// of theirs goes at once, and no sign-in works until the disable is undone. <paramref name="onlyIfEnabled"/>: leave a
    /// user someone already disabled as they are (the sync must never turn an admin's disable into its own).</summary>
    public static async Task DisableUserAsync(DataContext c, long userId, DateTimeOffset now, string by, bool onlyIfEnabled = false)
    {
        await c.ExecuteAsync($"UPDATE users SET disabled_at = @now, disabled_by = @by WHERE id = @userId{(onlyIfEnabled ? " AND disabled_at IS NULL" : "")}",
            new { userId, now, by });
        await c.ExecuteAsync("DELETE FROM api_tokens WHERE user_id = @userId", new { userId });
    }
}
