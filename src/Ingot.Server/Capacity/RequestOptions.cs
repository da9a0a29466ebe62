namespace Ingot.Server.Capacity;

/// <summary>How provisioning requests are carried out (INGOT_REQUESTS_* variables and INGOT_DOMAIN, declared in
/// Hosting/ServerOptions).</summary>
public sealed record RequestOptions
{
    /// <summary>The domain a request's default hostname ends in: <c>{role}-{random}.{site}.{domain}</c>.</summary>
    public string Domain { get; init; } = "ingot.internal";

    /// <summary>How often the reconciler looks at every open request (install outcomes, replacements, capacity).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a node holds the reconciler's lease without renewing it; another node takes over after it.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Machines a request may lose to failed installs before it gives up (failed), at least this many or its
    /// count, whichever is more: each one lost is replaced while it has replacements left.</summary>
    public int MinReplacements { get; init; } = 3;

    /// <summary>Spares installed beside each install whose first attempt failed (RequestPass).</summary>
    public int SparesPerFailure { get; init; } = 2;

    /// <summary>The most of a request's count installed as spares at once, beside installs whose first attempt failed
    /// (at least <see cref="MinReplacements"/>).</summary>
    public double SpareShare { get; init; } = 0.25;

    /// <summary>How long before a request's <c>expires_at</c> its reminder event is written (request.lease_expiring).</summary>
    public TimeSpan LeaseReminder { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Whether an expired request's machines are given back (recycled); off, expiry is only an event.</summary>
    public bool RecycleOnExpiry { get; init; } = true;
}
