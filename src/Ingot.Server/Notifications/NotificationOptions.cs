namespace Ingot.Server.Notifications;

/// <summary>The event stream and deliveries (INGOT_EVENTS_*, INGOT_DELIVERY_*, INGOT_SMTP_*: Hosting/ServerOptions).</summary>
public sealed record NotificationOptions
{
    /// <summary>How often each node looks for new events (the stream's and the deliveries' latency floor).</summary>
    public TimeSpan Poll { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a receiver (webhook, chat, SMTP server) may take to take one event.</summary>
    public TimeSpan DeliveryTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts at one event before it goes to the subscription's dead letters and the next is sent.</summary>
    public int MaxAttempts { get; init; } = 10;

    /// <summary>The wait after the first failed attempt; it doubles (with jitter) up to <see cref="RetryMax"/>.</summary>
    public TimeSpan RetryFirst { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMax { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Consecutive failures of one endpoint (scheme, host and port; an SMTP server) after which this node stops
    /// calling it for <see cref="BreakerOpen"/>, for every subscription that names it.</summary>
    public int BreakerThreshold { get; init; } = 5;

    public TimeSpan BreakerOpen { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Subscriptions one node delivers at once (each in order, one event after another).</summary>
    public int Concurrency { get; init; } = 64;

    /// <summary>How long a node holds a subscription without renewing its claim; a dead node's are taken after this.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a node leaves a subscription it found caught up before it looks again: the events that arrive
    /// meanwhile go together in one round (one claim, one write of the cursor), at up to this much more latency.</summary>
    public TimeSpan Rest { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Events one delivery round sends to one subscription before its cursor is written.</summary>
    public int Chunk { get; init; } = 100;

    /// <summary>How many of the latest events each node keeps in memory for its deliveries (EventFeed: a few KB each,
    /// with the JSON they are sent as); a reader further behind reads the database.</summary>
    public int FeedWindow { get; init; } = 10_000;

    public SmtpOptions Smtp { get; init; } = new();

    /// <summary>Networks webhook and chat deliveries may reach although they are the server's own (loopback, link-local):
    /// none by default (<see cref="TargetGuard"/>).</summary>
    public IReadOnlyList<System.Net.IPNetwork> AllowNetworks { get; init; } = [];

    /// <summary>Whether this node delivers (off for API-only nodes).</summary>
    public bool Deliver { get; init; } = true;
}

/// <summary>The SMTP server e-mail subscriptions go through (MailKit). No host: e-mail subscriptions are refused.</summary>
public sealed record SmtpOptions
{
    public string? Host { get; init; }
    public int Port { get; init; } = 25;
    public string From { get; init; } = "ingot@localhost";
    public string? User { get; init; }
    public string? Password { get; init; }

    /// <summary>STARTTLS when the server offers it (true), or never (false: plain SMTP on a trusted network).</summary>
    public bool StartTls { get; init; } = true;
}
