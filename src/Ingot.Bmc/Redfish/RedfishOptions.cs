namespace Ingot.Bmc.Redfish;

/// <summary>Deadlines for talking to one Redfish service (STYLE.md: every wait has a deadline from options).</summary>
public sealed record RedfishOptions
{
    /// <summary>How long a TCP (and TLS) connection may take to open. A BMC that is down or firewalled
    /// should fail fast, well before the request deadline.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one request may take, answer included. BMCs are slow (a GET of a ComputerSystem
    /// can take seconds), so this is generous.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long logging out may take when the connection is disposed; best effort, so short.</summary>
    public TimeSpan LogoutTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public static RedfishOptions Default { get; } = new();
}
