namespace Ingot.Server.Data;

/// <summary>Leases for the loops that run on one node at a time (DESIGN.md §4.3: the request reconciler; pools, the BMC
/// watch and DNS pushes later). A holder renews its lease on every pass; once it has expired — the node died or
/// stalled — any other node takes it. The database decides: one conditional upsert, no node trusts its own clock about
/// another's lease beyond the row's expiry.</summary>
public static class LoopLeases
{
    /// <summary>Takes or renews the lease <paramref name="name"/> for <paramref name="holder"/> until
    /// <paramref name="now"/> + <paramref name="ttl"/>. True when the caller holds it afterwards.</summary>
    public static Task<bool> TryHoldAsync(Database db, string name, string holder, TimeSpan ttl, DateTimeOffset now, CancellationToken ct) =>
        db.WriteAsync(async c => await c.ExecuteAsync(
            """
            INSERT INTO loop_leases (name, holder, expires_at) VALUES (@name, @holder, @expires)
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
            WHERE loop_leases.holder = excluded.holder OR loop_leases.expires_at < @now
            """, new { name, holder, expires = now + ttl, now }) > 0, ct);

    /// <summary>Gives the lease up (a node stopping), so another takes it at once rather than after its expiry.</summary>
    public static Task ReleaseAsync(Database db, string name, string holder, CancellationToken ct) =>
        db.WriteAsync(c => c.ExecuteAsync("DELETE FROM loop_leases WHERE name = @name AND holder = @holder", new { name, holder }), ct);
}
