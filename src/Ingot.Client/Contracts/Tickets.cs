namespace Ingot.Client;

public enum TicketStatus { Open, Acknowledged, Resolved }

/// <summary>A BMC's health as it changed.</summary>
public sealed record BmcHealthChange(BmcHealthStatus Status, string? Error, DateTimeOffset At);

/// <summary>What a ticket carries from when it opened (and its latest occurrence): the failed job with its steps,
/// attempts and error, that attempt's installer events and log lines, the machine with its hardware, its BMC's health
/// history and its recent lifecycle history; for a precheck ticket, the reason the batch left the host out.</summary>
public sealed record TicketEvidence(JobView? Job, IReadOnlyList<JobEventView> InstallerEvents, MachineView? Machine,
                                    IReadOnlyList<BmcHealthChange> BmcHealth, IReadOnlyList<HistoryEntry> History, string? Precheck = null);

public sealed record TicketComment(long Id, string User, string Body, DateTimeOffset At);

/// <summary>A triage ticket (docs/tickets.md): one per machine and incident, routed to the team that fixes the site's
/// hardware, with the submitters as watchers. <c>occurrences</c>: failures on the machine while it stayed open.</summary>
public sealed record TicketView(long Id, long MachineId, string Machine, string? Site, string? Team, TicketStatus Status, string Title, string Source,
                                long? JobId, long? BatchId, IReadOnlyList<string> Watchers, int Occurrences, DateTimeOffset OpenedAt,
                                DateTimeOffset UpdatedAt, string? AcknowledgedBy, string? ResolvedBy, DateTimeOffset? ResolvedAt,
                                TicketEvidence? Evidence = null, IReadOnlyList<TicketComment>? Comments = null);

public sealed record TicketCommentCreate(string? Body);

public sealed record TicketQuery(string? Status = null, string? Team = null, string? Machine = null, long? After = null, int? Limit = null);
