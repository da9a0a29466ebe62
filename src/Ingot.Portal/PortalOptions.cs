namespace Ingot.Portal;

/// <summary>How the portal reaches the API and how long its sessions last (composed by Hosting/ServerHost).</summary>
public sealed record PortalOptions
{
    /// <summary>The server's private Unix socket (mode 0600, in its data directory) that the portal calls the API on.</summary>
    public required string ApiSocket { get; init; }

    /// <summary>The longest a session lasts; it ends sooner when its token expires or is revoked.</summary>
    public TimeSpan SessionLifetime { get; init; } = TimeSpan.FromHours(12);

    /// <summary>Where the Data Protection keys that seal the session cookies and antiforgery tokens are kept: the server
    /// gives one ring shared by all its nodes (the portal itself has no storage).</summary>
    public required Func<IServiceProvider, Microsoft.AspNetCore.DataProtection.Repositories.IXmlRepository> KeyRing { get; init; }
}
