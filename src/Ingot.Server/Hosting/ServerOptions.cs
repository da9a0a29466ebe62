using Ingot.Server.Boot;

namespace Ingot.Server.Hosting;

/// <summary>Every setting of <c>ingot serve</c> (and of the demo's server), in one table. A value comes from a flag, else
/// from its INGOT_* variable, else the default; a bad one stops start-up with a message that names the variable (or
/// flag) and what it accepts. <c>ingot serve --print-config</c> lists this table with values and sources.</summary>
public static class ServerOptions
{
    public static IReadOnlyList<ServerOption> All { get; } =
    [
        ServerOption.Text("data", "Directory for the SQLite file, the admin token and the secret key.",
            s => s.DataDirectory, (s, v) => s with { DataDirectory = v ?? new ServerSettings().DataDirectory }),
        ServerOption.Text("urls", "Addresses to listen on, separated by commas.",
            s => string.Join(",", s.Urls), (s, v) => s with { Urls = Urls(v) }, check: v => Urls(v)),
        ServerOption.Text("tls.certificate", "PEM file of the certificate for https:// addresses (its intermediates after it).",
            s => s.TlsCertificate, (s, v) => s with { TlsCertificate = v }),
        ServerOption.Text("tls.key", "PEM file of the certificate's private key, unencrypted; refused if other users may read it (0600, or 0640 for a group such as ssl-cert). Default: the certificate's file.",
            s => s.TlsKey, (s, v) => s with { TlsKey = v }),
        ServerOption.Text("database", "PostgreSQL connection string or postgres:// URL; SQLite in the data directory when empty.",
            s => s.Database, (s, v) => s with { Database = v }, secret: true),
        ServerOption.Text("admin_token", "Registered as the admin's token on every start instead of generating one (at least 32 characters); changing it revokes the previous one.",
            s => s.AdminToken, (s, v) => s with { AdminToken = v }, secret: true, check: AdminToken),
        ServerOption.Text("secret_key", "Base64 of 32 bytes that encrypt BMC passwords; shared by every node of one PostgreSQL. Default: DATA/secret.key.",
            s => s.SecretKey, (s, v) => s with { SecretKey = v }, secret: true, check: SecretKey),
        ServerOption.Long("import.max_bytes", 1024, 10L << 30, "The largest CSV import body, in bytes.",
            s => s.ImportMaxBytes, (s, v) => s with { ImportMaxBytes = v }),
        ServerOption.Seconds("images.verify_timeout_seconds", 1, 3600,
            "How long adding an image may take to download its kernel or initrd to check the SHA-256 given for it.",
            s => s.ImageVerifyTimeout, (s, v) => s with { ImageVerifyTimeout = v }),
        ServerOption.Seconds("hooks.timeout_seconds", 0.01, 300,
            "How long a role's or site's in-use hook may take to answer before a destructive action; past it the hook has not answered (refused unless in_use_hook_fail_open).",
            s => s.HookTimeout, (s, v) => s with { HookTimeout = v }),
        ServerOption.Text("domain", "The domain of the hostnames provisioning requests give: {role}-{random}.{site}.{domain}.",
            s => s.Requests.Domain, (s, v) => s with { Requests = s.Requests with { Domain = v?.ToLowerInvariant() ?? new Capacity.RequestOptions().Domain } },
            check: Domain),
        ServerOption.Seconds("requests.interval_seconds", 0.01, 3600, "How often the request reconciler looks at every open provisioning request.",
            s => s.Requests.Interval, (s, v) => s with { Requests = s.Requests with { Interval = v } }),
        ServerOption.Seconds("requests.lease_reminder_seconds", 0, 365 * 86_400.0, "How long before a provisioning request expires its reminder event is written.",
            s => s.Requests.LeaseReminder, (s, v) => s with { Requests = s.Requests with { LeaseReminder = v } }),
        ServerOption.Bool("requests.recycle_on_expiry", "Give an expired provisioning request's machines back (recycle them); off, expiry is only an event.",
            s => s.Requests.RecycleOnExpiry, (s, v) => s with { Requests = s.Requests with { RecycleOnExpiry = v } }),
        ServerOption.Text("cost.currency", "What SKUs' hourly prices are in, as cost reports show it (e.g. USD, EUR).",
            s => s.Cost.Currency, (s, v) => s with { Cost = s.Cost with { Currency = v ?? new Cost.CostOptions().Currency } }, check: Currency),
        ServerOption.Int("cost.idle_days", 1, 3650, "Days without a job after which a held machine (in no pool) is waste in cost reports and weekly summaries.",
            s => s.Cost.IdleDays, (s, v) => s with { Cost = s.Cost with { IdleDays = v } }),
        ServerOption.Seconds("events.poll_seconds", 0.01, 60, "How often each node looks for new events for its streams and deliveries.",
            s => s.Notifications.Poll, (s, v) => s with { Notifications = s.Notifications with { Poll = v } }),
        ServerOption.Bool("delivery.run", "Deliver subscriptions from this node (off for API-only nodes).",
            s => s.Notifications.Deliver, (s, v) => s with { Notifications = s.Notifications with { Deliver = v } }),
        ServerOption.Seconds("delivery.timeout_seconds", 0.01, 300, "How long a webhook, chat or SMTP server may take to take one event.",
            s => s.Notifications.DeliveryTimeout, (s, v) => s with { Notifications = s.Notifications with { DeliveryTimeout = v } }),
        ServerOption.Int("delivery.max_attempts", 1, 1000, "Attempts at one event before it becomes a dead letter and the next is sent.",
            s => s.Notifications.MaxAttempts, (s, v) => s with { Notifications = s.Notifications with { MaxAttempts = v } }),
        ServerOption.Seconds("delivery.retry_seconds", 0.001, 86_400, "Wait after a failed delivery (doubling after, with jitter, up to delivery.retry_max_seconds).",
            s => s.Notifications.RetryFirst, (s, v) => s with { Notifications = s.Notifications with { RetryFirst = v } }),
        ServerOption.Seconds("delivery.retry_max_seconds", 0.001, 86_400, "The longest wait between attempts at one event.",
            s => s.Notifications.RetryMax, (s, v) => s with { Notifications = s.Notifications with { RetryMax = v } }),
        ServerOption.Int("delivery.breaker_threshold", 1, 1000, "Failures in a row after which a receiving endpoint is left alone for delivery.breaker_open_seconds.",
            s => s.Notifications.BreakerThreshold, (s, v) => s with { Notifications = s.Notifications with { BreakerThreshold = v } }),
        ServerOption.Seconds("delivery.breaker_open_seconds", 0.001, 86_400, "How long a failing endpoint is left alone before a trial delivery.",
            s => s.Notifications.BreakerOpen, (s, v) => s with { Notifications = s.Notifications with { BreakerOpen = v } }),
        ServerOption.Seconds("delivery.rest_seconds", 0, 60, "How long a node leaves a caught-up subscription before it looks again; what arrives meanwhile goes in one round.",
            s => s.Notifications.Rest, (s, v) => s with { Notifications = s.Notifications with { Rest = v } }),
        ServerOption.Int("delivery.concurrency", 1, 10_000, "Subscriptions one node delivers at once.",
            s => s.Notifications.Concurrency, (s, v) => s with { Notifications = s.Notifications with { Concurrency = v } }),
        ServerOption.Seconds("delivery.lease_seconds", 1, 3600, "How long a node holds a subscription without writing its progress; a dead node's are taken after this.",
            s => s.Notifications.Lease, (s, v) => s with { Notifications = s.Notifications with { Lease = v } }),
        ServerOption.Text("delivery.allow_networks", "Networks (CIDR, comma-separated) webhook and chat deliveries may reach although they are the server's own: loopback, link-local. Default: none.",
            s => s.Notifications.AllowNetworks is { Count: > 0 } n ? string.Join(",", n) : null,
            (s, v) => s with { Notifications = s.Notifications with { AllowNetworks = Networks(v) } }, check: v => Networks(v)),
        ServerOption.Text("smtp.host", "SMTP server for e-mail subscriptions; none: e-mail subscriptions are refused.",
            s => s.Notifications.Smtp.Host, (s, v) => s with { Notifications = s.Notifications with { Smtp = s.Notifications.Smtp with { Host = v } } }),
        ServerOption.Int("smtp.port", 1, 65_535, "The SMTP server's port.",
            s => s.Notifications.Smtp.Port, (s, v) => s with { Notifications = s.Notifications with { Smtp = s.Notifications.Smtp with { Port = v } } }),
        ServerOption.Text("smtp.from", "The From address of Ingot's e-mails.",
            s => s.Notifications.Smtp.From,
            (s, v) => s with { Notifications = s.Notifications with { Smtp = s.Notifications.Smtp with { From = v ?? new Notifications.SmtpOptions().From } } },
            check: MailAddress),
        ServerOption.Text("smtp.user", "User for SMTP authentication; none: no authentication.",
            s => s.Notifications.Smtp.User, (s, v) => s with { Notifications = s.Notifications with { Smtp = s.Notifications.Smtp with { User = v } } }),
        ServerOption.Text("smtp.password", "Password for SMTP authentication.",
            s => s.Notifications.Smtp.Password, (s, v) => s with { Notifications = s.Notifications with { Smtp = s.Notifications.Smtp with { Password = v } } },
            secret: true),
        ServerOption.Bool("smtp.starttls", "Use STARTTLS when the SMTP server offers it (off: plain SMTP on a trusted network).",
            s => s.Notifications.Smtp.StartTls, (s, v) => s with { Notifications = s.Notifications with { Smtp = s.Notifications.Smtp with { StartTls = v } } }),
        ServerOption.Text("ldap.url", "The directory for sign-in (ldap://host:port or ldaps://host:port; OpenLDAP or Active Directory); none: no directory sign-in.",
            s => s.Ldap.Url, (s, v) => s with { Ldap = s.Ldap with { Url = v } }, check: LdapUrl),
        ServerOption.Bool("ldap.starttls", "StartTLS on an ldap:// directory before anything is sent.",
            s => s.Ldap.StartTls, (s, v) => s with { Ldap = s.Ldap with { StartTls = v } }),
        ServerOption.Text("ldap.bind_dn", "The service account that finds users and reads their groups.",
            s => s.Ldap.BindDn, (s, v) => s with { Ldap = s.Ldap with { BindDn = v } }),
        ServerOption.Text("ldap.bind_password", "The service account's password.",
            s => s.Ldap.BindPassword, (s, v) => s with { Ldap = s.Ldap with { BindPassword = v } }, secret: true),
        ServerOption.Text("ldap.user_base", "Where users are searched for (subtree), e.g. ou=people,dc=example,dc=com.",
            s => s.Ldap.UserBase, (s, v) => s with { Ldap = s.Ldap with { UserBase = v } }),
        ServerOption.Text("ldap.user_attribute", "The attribute a sign-in name is: uid (OpenLDAP) or sAMAccountName (Active Directory).",
            s => s.Ldap.UserAttribute, (s, v) => s with { Ldap = s.Ldap with { UserAttribute = v ?? new SelfService.Directory.LdapOptions().UserAttribute } }),
        ServerOption.Text("ldap.user_filter", "More of the user search, ANDed, e.g. (objectClass=person).",
            s => s.Ldap.UserFilter, (s, v) => s with { Ldap = s.Ldap with { UserFilter = v ?? new SelfService.Directory.LdapOptions().UserFilter } }),
        ServerOption.Text("ldap.group_attribute", "The attribute of users (and groups) listing the groups they are in: memberOf (Active Directory; OpenLDAP's memberof overlay).",
            s => s.Ldap.GroupAttribute, (s, v) => s with { Ldap = s.Ldap with { GroupAttribute = v ?? new SelfService.Directory.LdapOptions().GroupAttribute } }),
        ServerOption.Bool("ldap.nested", "Follow groups in groups: a member of a group inside a mapped group counts as its member.",
            s => s.Ldap.Nested, (s, v) => s with { Ldap = s.Ldap with { Nested = v } }),
        ServerOption.Text("ldap.groups", "Which directory groups give which team or grant: DN=>team:NAME or DN=>grant:admin|operator|viewer, separated by ';'.",
            s => s.Ldap.Groups.Count == 0 ? null : string.Join(";", s.Ldap.Groups.Select(g => $"{g.Dn}=>{(g.Team is { } t ? "team:" + t : "grant:" + g.Grant)}")),
            (s, v) => s with { Ldap = s.Ldap with { Groups = SelfService.Directory.LdapOptions.ParseGroups(v) } }, check: v => SelfService.Directory.LdapOptions.ParseGroups(v)),
        ServerOption.Seconds("ldap.token_seconds", 60, 366 * 86_400.0, "How long a token from a directory sign-in lasts.",
            s => s.Ldap.TokenLifetime, (s, v) => s with { Ldap = s.Ldap with { TokenLifetime = v } }),
        ServerOption.Seconds("ldap.sync_seconds", 0.01, 86_400, "How often every directory user is looked up again (a membership that went is gone within this).",
            s => s.Ldap.SyncInterval, (s, v) => s with { Ldap = s.Ldap with { SyncInterval = v } }),
        ServerOption.Int("signin.free_failures", 1, 1000, "Failed sign-ins of one user that cost nothing; each further one waits twice as long as the last (1 s up to 5 min).",
            s => s.SignIn.FreeUser, (s, v) => s with { SignIn = s.SignIn with { FreeUser = v } }),
        ServerOption.Int("signin.free_failures_per_source", 1, 100_000, "Failed sign-ins from one address that cost nothing (then 1 s, doubling up to 15 min).",
            s => s.SignIn.FreeSource, (s, v) => s with { SignIn = s.SignIn with { FreeSource = v } }),
        ServerOption.Bool("bmc_watch.run", "Sweep every BMC between jobs (reachability and credentials) on the node holding the watch, where workers run.",
            s => s.BmcWatch.Run, (s, v) => s with { BmcWatch = s.BmcWatch with { Run = v } }),
        ServerOption.Seconds("bmc_watch.interval_seconds", 0.01, 86_400, "The pause between two sweeps of every BMC (jittered).",
            s => s.BmcWatch.Interval, (s, v) => s with { BmcWatch = s.BmcWatch with { Interval = v } }),
        ServerOption.Int("bmc_watch.concurrency", 1, 10_000, "BMCs the watch probes at once.",
            s => s.BmcWatch.Concurrency, (s, v) => s with { BmcWatch = s.BmcWatch with { Concurrency = v } }),
        ServerOption.Seconds("bmc_watch.spread_seconds", 0, 86_400, "The least time a sweep spreads its probes over (0: flat out), so that it takes a fraction of a core.",
            s => s.BmcWatch.Spread, (s, v) => s with { BmcWatch = s.BmcWatch with { Spread = v } }),
        ServerOption.Text("log.format", "How the server logs: text (a line each) or json (a JSON object each, for log collectors).",
            s => s.LogFormat, (s, v) => s with { LogFormat = v?.ToLowerInvariant() ?? "text" }, check: LogFormat),
        ServerOption.Bool("log.requests", "A log line per request: method, path (without its query), status, duration, user; never a token.",
            s => s.LogRequests, (s, v) => s with { LogRequests = v }),
        ServerOption.Text("tickets.routes", "Which team fixes each site's hardware, for triage tickets: site=team pairs, comma-separated, * for every other site (e.g. lon1=dc-lon,*=dc-ops).",
            s => s.Tickets.Routes.Count == 0 ? null : string.Join(",", s.Tickets.Routes.Select(r => $"{r.Key}={r.Value}")),
            (s, v) => s with { Tickets = s.Tickets with { Routes = Routes(v) } }, check: v => Routes(v)),
        ServerOption.Seconds("tickets.interval_seconds", 0.01, 3600, "How often the ticket opener reads new failures.",
            s => s.Tickets.Interval, (s, v) => s with { Tickets = s.Tickets with { Interval = v } }),
        ServerOption.Text("discovery.bmc_user", "BMC user given to machines that discover themselves (with the password: they are commissioned at once).",
            s => s.DiscoveryBmc.Username, (s, v) => s with { DiscoveryBmc = s.DiscoveryBmc with { Username = v } }, check: v => IpmiBytes(v, Api.Names.IpmiUserBytes)),
        ServerOption.Text("discovery.bmc_password", "BMC password given to machines that discover themselves (IPMI: at most 20 bytes).",
            s => s.DiscoveryBmc.Password, (s, v) => s with { DiscoveryBmc = s.DiscoveryBmc with { Password = v } }, secret: true,
            check: v => IpmiBytes(v, Api.Names.IpmiPasswordBytes)),
        ServerOption.Text("discovery.bmc_networks", "Networks (CIDR, comma-separated) of the BMCs the discovery credentials are given to; a discovered BMC outside them waits for an operator. Default: none.",
            s => s.DiscoveryBmc.Networks is { Count: > 0 } n ? string.Join(",", n) : null,
            (s, v) => s with { DiscoveryBmc = s.DiscoveryBmc with { Networks = Networks(v) } }, check: v => Networks(v)),
        ServerOption.Bool("jobs.run_workers", "Run job workers in this process (off for API-only nodes).",
            s => s.Jobs.RunWorkers, (s, v) => s with { Jobs = s.Jobs with { RunWorkers = v } }),
        ServerOption.Int("jobs.workers", 1, 100_000, "Jobs this node runs at once.",
            s => s.Jobs.Workers, (s, v) => s with { Jobs = s.Jobs with { Workers = v } }),
        ServerOption.Int("jobs.per_site_limit", 1, 1_000_000, "Jobs running at once in one site, across every node.",
            s => s.Jobs.PerSiteLimit, (s, v) => s with { Jobs = s.Jobs with { PerSiteLimit = v } }),
        ServerOption.Int("jobs.batch_max_hosts", 1, 1_000_000, "Hosts one batch may name.",
            s => s.Jobs.BatchMaxHosts, (s, v) => s with { Jobs = s.Jobs with { BatchMaxHosts = v } }),
        ServerOption.Int("jobs.max_attempts", 1, 100, "Attempts of a job before it fails.",
            s => s.Jobs.MaxAttempts, (s, v) => s with { Jobs = s.Jobs with { MaxAttempts = v } }),
        ServerOption.Int("jobs.step_retries", 0, 100, "Retries of a transient BMC failure inside a step, before the attempt fails.",
            s => s.Jobs.StepRetries, (s, v) => s with { Jobs = s.Jobs with { StepRetries = v } }),
        ServerOption.Int("jobs.breaker_threshold", 1, 1000, "Consecutive transient failures after which a BMC's circuit opens.",
            s => s.Jobs.BreakerThreshold, (s, v) => s with { Jobs = s.Jobs with { BreakerThreshold = v } }),
        ServerOption.Seconds("jobs.lease_seconds", 1, 86_400, "How long a claim holds without a heartbeat; a dead node's jobs move after this.",
            s => s.Jobs.Lease, (s, v) => s with { Jobs = s.Jobs with { Lease = v } }),
        ServerOption.Seconds("jobs.poll_seconds", 0.001, 3600, "How often an idle worker looks for work other nodes queued.",
            s => s.Jobs.PollInterval, (s, v) => s with { Jobs = s.Jobs with { PollInterval = v } }),
        ServerOption.Seconds("jobs.power_deadline_seconds", 0.001, 3600, "How long a BMC may take to report the wanted power state.",
            s => s.Jobs.PowerDeadline, (s, v) => s with { Jobs = s.Jobs with { PowerDeadline = v } }),
        ServerOption.Seconds("jobs.power_poll_seconds", 0.001, 3600, "Spacing of power-state polls (one value for every poll; default: the waiting policy 1, 2, 2, 4, 6, 8, 12 s).",
            s => s.Jobs.PowerPolls[0], (s, v) => s with { Jobs = s.Jobs with { PowerPolls = [v] } }),
        ServerOption.Seconds("jobs.retry_seconds", 0.001, 86_400, "Wait before a job's second attempt (doubling after, with jitter).",
            s => s.Jobs.JobRetry.First, (s, v) => s with { Jobs = s.Jobs with { JobRetry = s.Jobs.JobRetry with { First = v } } }),
        ServerOption.Seconds("jobs.step_retry_seconds", 0.001, 3600, "Wait before a step's first retry of a transient BMC failure (doubling after).",
            s => s.Jobs.StepRetry.First, (s, v) => s with { Jobs = s.Jobs with { StepRetry = s.Jobs.StepRetry with { First = v } } }),
        ServerOption.Seconds("jobs.graceful_shutdown_seconds", 1, 86_400, "How long reboot waits for a graceful shutdown before powering off hard.",
            s => s.Jobs.GracefulShutdown, (s, v) => s with { Jobs = s.Jobs with { GracefulShutdown = v } }),
        ServerOption.Int("retention.boot_token_hours", 0, 87_600, "Hours an expired boot token is kept before it is deleted (0 keeps them).",
            s => s.Retention.BootTokenHours, (s, v) => s with { Retention = s.Retention with { BootTokenHours = v } }),
        ServerOption.Int("retention.job_event_days", 0, 36_500, "Days an ended job keeps its installer events after it ended (0 keeps them).",
            s => s.Retention.JobEventDays, (s, v) => s with { Retention = s.Retention with { JobEventDays = v } }),
        ServerOption.Int("retention.audit_days", 0, 36_500, "Days audit records are kept (0 keeps them).",
            s => s.Retention.AuditDays, (s, v) => s with { Retention = s.Retention with { AuditDays = v } }),
        ServerOption.Int("retention.event_days", 0, 36_500, "Days the event log keeps an event (0 keeps them); a subscription further behind misses the oldest.",
            s => s.Retention.EventDays, (s, v) => s with { Retention = s.Retention with { EventDays = v } }),
        ServerOption.Int("retention.delivery_days", 0, 36_500, "Days the delivery log keeps an attempt, dead letters included (0 keeps them).",
            s => s.Retention.DeliveryDays, (s, v) => s with { Retention = s.Retention with { DeliveryDays = v } }),
        ServerOption.Int("retention.bmc_health_days", 0, 36_500, "Days a BMC's health history keeps a change (0 keeps them).",
            s => s.Retention.BmcHealthDays, (s, v) => s with { Retention = s.Retention with { BmcHealthDays = v } }),
        ServerOption.Seconds("retention.interval_seconds", 1, 86_400, "How often each node deletes what is past its retention.",
            s => s.Retention.Interval, (s, v) => s with { Retention = s.Retention with { Interval = v } }),
        ServerOption.Int("retention.batch_rows", 10, 100_000, "Rows one delete statement removes at most: a big prune is many short writes.",
            s => s.Retention.BatchRows, (s, v) => s with { Retention = s.Retention with { BatchRows = v } }),
        ServerOption.Seconds("ipmi.attempt_timeout_seconds", 0.01, 60, "How long one IPMI request waits for its answer before it is sent again.",
            s => Ipmi(s).AttemptTimeout, (s, v) => s with { Ipmi = Ipmi(s) with { AttemptTimeout = v } }),
        ServerOption.Int("ipmi.attempts", 1, 20, "Sends per IPMI request (the first and its retransmissions).",
            s => Ipmi(s).Attempts, (s, v) => s with { Ipmi = Ipmi(s) with { Attempts = v } }),
        ServerOption.Int("ipmi.sockets", 1, 64, "UDP sockets shared by all of this node's IPMI sessions.",
            s => Ipmi(s).SocketCount, (s, v) => s with { Ipmi = Ipmi(s) with { SocketCount = v } }),
    ];

    private static Ingot.Bmc.Ipmi.IpmiClientOptions Ipmi(ServerSettings s) => s.Ipmi ?? new();

    /// <summary>Where a value came from, for --print-config.</summary>
    public sealed record Source(ServerOption Option, string? Value, string From);

    /// <summary>Settings from flags (by option name), else INGOT_* variables, else defaults.</summary>
    /// <exception cref="ServerOptionsException">Every bad value, each named with what it accepts.</exception>
    public static (ServerSettings Settings, IReadOnlyList<Source> Sources) Read(
        IReadOnlyDictionary<string, string?> flags, Func<string, string?> environment, ServerSettings? start = null)
    {
        var settings = start ?? new ServerSettings();
        var sources = new List<Source>();
        var errors = new List<string>();
        var labels = new Dictionary<string, string>();
        foreach (var option in All)
        {
            var (text, from, label) = flags.TryGetValue(option.Name, out var flag) && flag is not null ? (flag, "flag " + option.Flag, option.Flag)
                : environment(option.Variable) is { Length: > 0 } env ? (env, option.Variable, option.Variable)
                : ((string?)null, "default", "");
            labels[option.Name] = text is null ? option.Flag : label;
            if (text is not null)
            {
                try { settings = option.Set(settings, text); }
                catch (FormatException e) { errors.Add($"{label}={Echo(option, text)} is not {e.Message}."); continue; }
            }
            sources.Add(new Source(option, option.Get(settings), from));
        }
        if (errors.Count == 0) errors.AddRange(AcrossSettings(settings, name => labels[name]));
        if (errors.Count > 0) throw new ServerOptionsException(errors);
        return (settings, sources);
    }

    /// <summary>Holds settings made in code (tests, the demo) to the same rules as flags and variables: each value is
    /// read back through its option. The server checks this before it starts, then reads the certificate files
    /// (<see cref="ServerTls.Load"/>) with the same checks as <see cref="Read"/>.</summary>
    public static void Validate(ServerSettings settings)
    {
        var errors = new List<string>();
        foreach (var option in All)
        {
            if (option.Get(settings) is not { } text) continue;
            try { option.Set(settings, text); }
            catch (FormatException e) { errors.Add($"{option.Name} ({option.Variable})={Echo(option, text)} is not {e.Message}."); }
        }
        if (settings.Jobs.PowerPolls.Count == 0 || settings.Jobs.PowerPolls.Any(p => p <= TimeSpan.Zero))
            errors.Add("jobs.power_polls must be positive delays.");
        if (errors.Count > 0) throw new ServerOptionsException(errors);
    }

    /// <summary>A setting as an error about settings made in code names it: tls.key (INGOT_TLS_KEY).</summary>
    public static string Named(string name)
    {
        var option = All.Single(o => o.Name == name);
        return $"{option.Name} ({option.Variable})";
    }

    /// <summary>What no single value shows: settings that need each other, and the files they name (read, then let go).</summary>
    private static IReadOnlyList<string> AcrossSettings(ServerSettings settings, Func<string, string> label)
    {
        try
        {
            ServerTls.Load(settings, label)?.Dispose();
            return [];
        }
        catch (ServerOptionsException e) { return e.Errors; }
    }

    /// <summary>A refused value as the error quotes it: a secret never, even a wrong one (it may be a real one mistyped).</summary>
    private static string Echo(ServerOption option, string text) => option.Secret ? "(hidden)" : $"'{text}'";

    /// <summary>A value as --print-config shows it: secrets never, only whether they are set.</summary>
    public static string Shown(Source source) =>
        source.Value is null ? "(none)" : source.Option.Secret ? "(set, hidden)" : source.Value;

    private static string[] Urls(string? text)
    {
        if (text is null) return [.. new ServerSettings().Urls];
        const string expected = "a list of http:// or https:// addresses (no path), such as http://127.0.0.1:7420";
        var urls = text.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // Kestrel serves no path prefix (it would refuse to start), so an address with one is refused here, by name.
        foreach (var url in urls)
            if (!Uri.TryCreate(url, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https") || u.AbsolutePath != "/" || u.Query.Length > 0)
                throw new FormatException(expected);
        return urls.Length == 0 ? throw new FormatException(expected) : urls;
    }

    /// <summary>A token anyone could guess is no token: as long as a generated one's secret part, and no blanks.</summary>
    private static void LdapUrl(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("ldap" or "ldaps") || uri.Host.Length == 0)
            throw new FormatException("ldap://host[:port] or ldaps://host[:port]");
    }

    private static void Domain(string text)
    {
        if (!Api.Names.IsHostname(text.ToLowerInvariant()) || text.Length > 200) throw new FormatException("a DNS name of at most 200 characters, e.g. example.net");
    }

    /// <summary>"site=team,…,*=team" as a map; each name held to the slug rule.</summary>
    private static Dictionary<string, string> Routes(string? text)
    {
        var routes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !(parts[0] == "*" || Api.Names.IsSlug(parts[0])) || !Api.Names.IsSlug(parts[1]))
                throw new FormatException($"site=team pairs separated by commas (e.g. lon1=dc-lon,*=dc-ops); '{pair}' is not one");
            if (!routes.TryAdd(parts[0], parts[1])) throw new FormatException($"site '{parts[0]}' is routed twice");
        }
        return routes;
    }

    private static void LogFormat(string text)
    {
        if (text.ToLowerInvariant() is not ("text" or "json")) throw new FormatException("text or json");
    }

    private static void MailAddress(string text)
    {
        if (!MimeKit.MailboxAddress.TryParse(text, out var address) || !address.Address.Contains('@')) throw new FormatException("an e-mail address, e.g. ingot@example.com");
    }

    private static void Currency(string text)
    {
        if (text.Length is 0 or > 8 || !text.All(char.IsAsciiLetterUpper)) throw new FormatException("a currency code of capital letters, e.g. USD or EUR");
    }

    private static void AdminToken(string text)
    {
        if (text.Length < 32 || text.Any(char.IsWhiteSpace) || text.Distinct().Count() < 8)
            throw new FormatException("a token of at least 32 characters, without spaces, not a repeated pattern (e.g. 'openssl rand -base64 32')");
    }

    /// <summary>Discovered BMCs are IPMI: a longer user name or password could never log in.</summary>
    private static System.Net.IPNetwork[] Networks(string? text)
    {
        var networks = new List<System.Net.IPNetwork>();
        foreach (var part in (text ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            networks.Add(System.Net.IPNetwork.TryParse(part, out var network) ? network
                : throw new FormatException($"a list of networks such as 10.20.0.0/16,fd00:20::/64 ('{part}' is not one)"));
        return [.. networks];
    }

    private static void IpmiBytes(string text, int max)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(text) > max) throw new FormatException($"at most {max} bytes (IPMI keeps no more)");
    }

    private static void SecretKey(string text)
    {
        byte[] key;
        try { key = Convert.FromBase64String(text); }
        catch (FormatException) { throw new FormatException("base64 of exactly 32 bytes"); }
        if (key.Length != 32) throw new FormatException("base64 of exactly 32 bytes");
    }
}

/// <summary>Start-up refused: the settings listed are bad.</summary>
public sealed class ServerOptionsException(IReadOnlyList<string> errors)
    : Exception("The server cannot start: " + string.Join(" ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
