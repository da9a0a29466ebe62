using Ingot.Server.SelfService;
using Ingot.Server.Data;

namespace Ingot.Server.Boot;

/// <summary>A boot token as stored: what it is bound to.</summary>
public sealed class BootTokenRow
{
    public string TokenHash { get; init; } = "";
    public string Kind { get; init; } = "";
    public long? JobId { get; init; }
    public int? Attempt { get; init; }
    public long? MachineId { get; init; }
    public string Mac { get; init; } = "";
    public DateTimeOffset ExpiresAt { get; init; }
    public DateTimeOffset? UsedAt { get; init; }

    /// <summary>The boot mode iPXE reported when the token was issued, if it said.</summary>
    public string? BootMode { get; init; }
}

/// <summary>One-time boot tokens (docs/boot.md): handed out inside a boot script, bound to one job attempt and one
/// machine (or, for discovery, to a MAC), valid until the image's deadline, spent by the first terminal event. Only
/// the SHA-256 is stored, as for API tokens.</summary>
public static class BootTokens
{
    public static async Task<string> IssueAsync(DataContext c, string kind, long? jobId, int? attempt, long? machineId, string mac,
                                                DateTimeOffset expires, DateTimeOffset now, string? bootMode = null)
    {
        var token = Tokens.Generate();
        await c.ExecuteAsync(
            """
            INSERT INTO boot_tokens (token_hash, kind, job_id, attempt, machine_id, mac, expires_at, created_at, boot_mode)
            VALUES (@hash, @kind, @jobId, @attempt, @machineId, @mac, @expires, @now, @bootMode)
            """, new { hash = Tokens.Hash(token), kind, jobId, attempt, machineId, mac, expires, now, bootMode });
        return token;
    }

    /// <summary>The token's binding if it is known, unexpired and unspent; null otherwise (the caller answers 403
    /// without saying which, so a guesser learns nothing).</summary>
    public static async Task<BootTokenRow?> ValidAsync(DataContext c, string? token, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(token)) return null;
        var row = await c.QuerySingleOrDefaultAsync<BootTokenRow>(
            "SELECT token_hash, kind, job_id, attempt, machine_id, mac, expires_at, used_at, boot_mode FROM boot_tokens WHERE token_hash = @hash",
            new { hash = Tokens.Hash(token) });
        return row is null || row.UsedAt is not null || row.ExpiresAt <= now ? null : row;
    }
}
