namespace Ingot.Client;

public enum DeliveryChannel { Webhook, Email, Chat }

/// <summary>Which events a subscription hears, beyond their types: <c>mine</c>, those of its owner's own work (batches,
/// jobs, requests they submitted); <c>team</c>, those of a team's machines and requests; a batch (and its jobs); a machine.</summary>
public sealed record SubscriptionFilter(bool? Mine = null, string? Team = null, long? Batch = null, long? Machine = null);

/// <summary>POST /api/v1/subscriptions. <c>channel</c>: webhook (an https or http URL, sent JSON signed with HMAC-SHA256),
/// chat (a Slack-compatible incoming-webhook URL) or email (an address; needs the server's SMTP settings). <c>types</c>:
/// event types or "noun.*" (default: batch.accepted, batch.completed, request.fulfilled, request.failed with
/// <c>mine</c>). <c>team</c>: the subscription is the team's (its members manage it), not only its maker's.</summary>
public sealed record SubscriptionCreate(string? Name, string? Channel, string? Target, IReadOnlyList<string>? Types = null, string? Team = null,
                                        SubscriptionFilter? Filter = null);

/// <summary>PATCH /api/v1/subscriptions/{id}: <c>enabled</c> false pauses it (nothing is sent, and what happens meanwhile
/// is not sent later); true resumes it from the events that happen after.</summary>
public sealed record SubscriptionUpdate(bool? Enabled = null);

/// <summary>A subscription and how its deliveries go: <c>delivered</c> and <c>dead</c> (given up, see its dead letters)
/// so far; <c>attempts</c> at the event it is on, the next at <c>retry_at</c>, with <c>last_error</c>. <c>secret</c>
/// (webhooks) is shown once, in the answer to the POST that made it. <c>is_default</c>: the one Ingot made for a user
/// with an e-mail address (their own batches and requests); it can be disabled, not deleted.</summary>
public sealed record SubscriptionView(long Id, string Name, string Owner, string? Team, DeliveryChannel Channel, string Target,
                                      IReadOnlyList<string> Types, SubscriptionFilter Filter, bool Enabled, bool IsDefault, long Delivered, long Dead,
                                      int Attempts, DateTimeOffset? RetryAt, string? LastError, DateTimeOffset? LastDeliveredAt, DateTimeOffset CreatedAt,
                                      string? Secret = null);

/// <summary>One attempt to deliver an event: <c>outcome</c> delivered, failed (tried again later) or dead (given up).</summary>
public sealed record DeliveryView(long Id, long EventId, int Attempt, string Outcome, int? StatusCode, string? Error, int DurationMs, DateTimeOffset At);
