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

/// <summary>Boot tokens (docs/boot.md): handed out inside a boot script, bound to one job attempt and one machine (or, for
/// discovery, to a MAC), spent by the first terminal event. A job attempt hands out one: to the first script fetched once
/// the attempt has powered the machine on (issue 11 B.1: every fetch used to mint another, so anyone who knew a MAC could
/// finish a running install). Only the SHA-256 is stored, as for API tokens.</summary>
public static class BootTokens
{
    private const string Columns = "token_hash, kind, job_id, attempt, machine_id, mac, expires_at, used_at, boot_mode";

    public static async Task<string> IssueAsync(DataContext c, string kind, long? jobId, int? attempt, long? machineId, string mac,
                                                DateTimeOffset expires, DateTimeOffset now, string? bootMode = null) =>
        await TryIssueAsync(c, kind, jobId, attempt, machineId, mac, expires, now, bootMode)
        ?? throw new InvalidOperationException($"job {jobId} attempt {attempt} already has its boot token");

    /// <summary>The attempt's token, or null when the attempt has handed out its one already. The unique index on
    /// (job, attempt) decides, so two nodes answering two fetches at once cannot both hand one out.</summary>
    public static async Task<string?> TryIssueAsync(DataContext c, string kind, long? jobId, int? attempt, long? machineId, string mac,
                                                    DateTimeOffset expires, DateTimeOffset now, string? bootMode = null)
    {
        var token = Tokens.Generate();
        var inserted = await c.ExecuteAsync(
            """
            INSERT INTO boot_tokens (token_hash, kind, job_id, attempt, machine_id, mac, expires_at, created_at, boot_mode)
            VALUES (@hash, @kind, @jobId, @attempt, @machineId, @mac, @expires, @now, @bootMode)
            ON CONFLICT DO NOTHING
            """, new { hash = Tokens.Hash(token), kind, jobId, attempt, machineId, mac, expires, now, bootMode });
        return inserted == 1 ? token : null;
    }

    /// <summary>The token's binding if it is known, unexpired and unspent; null otherwise (the caller answers 403
    /// without saying which, so a guesser learns nothing).</summary>
    public static async Task<BootTokenRow?> ValidAsync(DataContext c, string? token, DateTimeOffset now) =>
        await KnownAsync(c, token, now) is { UsedAt: null } row ? row : null;

    /// <summary>The token's binding if it is known and unexpired, spent or not (a spent one may still acknowledge a
    /// replay of the event that spent it).</summary>
    public static async Task<BootTokenRow?> KnownAsync(DataContext c, string? token, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(token)) return null;
        var row = await c.QuerySingleOrDefaultAsync<BootTokenRow>($"SELECT {Columns} FROM boot_tokens WHERE token_hash = @hash", new { hash = Tokens.Hash(token) });
        return row is null || row.ExpiresAt <= now ? null : row;
    }

    /// <summary>Deletes tokens that expired before <paramref name="expiredBefore"/> (issue 11 B.4: every request of an
    /// unknown MAC leaves one, and nothing ever removed them). An expired token is refused anyway; it is kept a while
    /// only so that a refused callback can be looked into.</summary>
    public static Task<long> PruneAsync(Database db, DateTimeOffset expiredBefore, int batch, CancellationToken ct) =>
        Pruning.DeleteInBatchesAsync(db,
            "DELETE FROM boot_tokens WHERE token_hash IN (SELECT token_hash FROM boot_tokens WHERE expires_at < @before LIMIT @batch)",
            expiredBefore, batch, ct);

    public static Task SpendAsync(DataContext c, string tokenHash, DateTimeOffset now) =>
        c.ExecuteAsync("UPDATE boot_tokens SET used_at = @now WHERE token_hash = @hash AND used_at IS NULL", new { now, hash = tokenHash });
}
