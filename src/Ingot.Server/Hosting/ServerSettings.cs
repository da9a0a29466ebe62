namespace Ingot.Server.Hosting;

/// <summary>How a server is started. <see cref="ServerOptions"/> declares every setting (its INGOT_* variable, flag,
/// default, range and doc line) and fills this from flags and variables; tests fill it in code.</summary>
public sealed record ServerSettings
{
    /// <summary>Directory for the SQLite file, the admin token and the secret key. Default ./.ingot.</summary>
    public string DataDirectory { get; init; } = ".ingot";

    /// <summary>PostgreSQL connection string or URL; null or empty means SQLite in <see cref="DataDirectory"/>.</summary>
    public string? Database { get; init; }

    /// <summary>Addresses to listen on. Default http://127.0.0.1:7420.</summary>
    public IReadOnlyList<string> Urls { get; init; } = ["http://127.0.0.1:7420"];

    /// <summary>PEM file of the certificate served on https:// addresses, its intermediates after it (INGOT_TLS_CERTIFICATE).</summary>
    public string? TlsCertificate { get; init; }

    /// <summary>PEM file of the certificate's private key (INGOT_TLS_KEY); null when the certificate's file holds it.</summary>
    public string? TlsKey { get; init; }

    /// <summary>When set, registered as the admin's token (INGOT_ADMIN_TOKEN) instead of generating one.</summary>
    public string? AdminToken { get; init; }

    /// <summary>Base64 of 32 bytes that encrypt BMC passwords (INGOT_SECRET_KEY). Every server on one
    /// PostgreSQL must share it; default: DATA/secret.key, created on first start.</summary>
    public string? SecretKey { get; init; }

    /// <summary>The largest CSV import body in bytes (INGOT_IMPORT_MAX_BYTES). Default 50 MB.</summary>
    public long ImportMaxBytes { get; init; } = new Inventory.ImportOptions().MaxBytes;

    /// <summary>How long the server may take to download an image's kernel or initrd to check its SHA-256 when the image
    /// is added (INGOT_IMAGES_VERIFY_TIMEOUT_SECONDS). Default 90 s: inside the CLI's 100 s wait for an answer.</summary>
    public TimeSpan ImageVerifyTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>How long a role's or site's in-use hook may take to answer before a destructive action
    /// (INGOT_HOOKS_TIMEOUT_SECONDS); past it the hook counts as not answering. Default 5 s: a submission waits on it.</summary>
    public TimeSpan HookTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The domain of requests' hostnames (INGOT_DOMAIN) and the reconciler's pace (INGOT_REQUESTS_*).</summary>
    public Capacity.RequestOptions Requests { get; init; } = new();

    /// <summary>The event stream's pace and the deliveries' retries, breaker and SMTP server (INGOT_EVENTS_*, INGOT_DELIVERY_*,
    /// INGOT_SMTP_*).</summary>
    public Notifications.NotificationOptions Notifications { get; init; } = new();

    /// <summary>Sign-in against the company's directory (INGOT_LDAP_*; docs/authentication.md).</summary>
    public SelfService.Directory.LdapOptions Ldap { get; init; } = new();

    /// <summary>Failed sign-ins that cost nothing, per user and per source (INGOT_SIGNIN_*).</summary>
    public SelfService.SignInOptions SignIn { get; init; } = new();

    /// <summary>The sweep of every BMC between jobs (INGOT_BMC_WATCH_*); it runs where the job workers run.</summary>
    public Jobs.BmcWatchOptions BmcWatch { get; init; } = new();

    /// <summary>How the server logs (INGOT_LOG_FORMAT): "text", one line each, or "json", one JSON object each.</summary>
    public string LogFormat { get; init; } = "text";

    /// <summary>A log line per API call (INGOT_LOG_REQUESTS).</summary>
    public bool LogRequests { get; init; } = true;

    /// <summary>Where triage tickets are routed (INGOT_TICKETS_ROUTES).</summary>
    public Tickets.TicketOptions Tickets { get; init; } = new();

    /// <summary>The currency of SKUs' prices and what counts as idle (INGOT_COST_*).</summary>
    public Cost.CostOptions Cost { get; init; } = new();

    /// <summary>BMC credentials given to machines that register themselves through network discovery
    /// (INGOT_DISCOVERY_BMC_USER, INGOT_DISCOVERY_BMC_PASSWORD): with them, a discovered machine is commissioned at once.
    /// Fleets provision one account on every BMC for this; without it, discovered machines wait for an operator.</summary>
    public Boot.DiscoveryCredentials DiscoveryBmc { get; init; } = new(null, null);

    /// <summary>How long expired boot tokens, ended jobs' events and audit records are kept (INGOT_RETENTION_* variables).</summary>
    public RetentionOptions Retention { get; init; } = new();

    /// <summary>The job broker's limits and timings (INGOT_JOBS_* variables).</summary>
    public Jobs.JobOptions Jobs { get; init; } = new();

    /// <summary>The server's clock: everything that reads the time asks it, so whole-server tests can drive time.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Timeouts and sockets of the IPMI client the workers use; null takes the defaults.</summary>
    public Ingot.Bmc.Ipmi.IpmiClientOptions? Ipmi { get; init; }
}
