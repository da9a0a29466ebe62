namespace Ingot.Client;

/// <summary><c>grant</c>: <c>operator</c> or <c>viewer</c> (docs/authorization.md); without one a user acts on the machines of
/// their teams' roles.</summary>
public sealed record UserCreate(string? Name, bool? Admin = null, IReadOnlyList<string>? Teams = null, string? Grant = null);
public sealed record UserView(long Id, string Name, bool Admin, IReadOnlyList<string> Teams, DateTimeOffset CreatedAt, string? Grant = null);

public sealed record TokenCreate(string? Name, string? User = null, DateTimeOffset? ExpiresAt = null);
public sealed record TokenView(long Id, string Name, string User, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

/// <summary>A new API token. <see cref="Token"/> is shown this once; the server keeps only its hash.</summary>
public sealed record TokenCreated(long Id, string Name, string User, string Token, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

public sealed record WhoAmI(string Name, bool Admin, IReadOnlyList<string> Teams, string? Grant = null);

/// <summary>One audited request: <c>token</c> names the token it came with, <c>reason</c> why it was refused.</summary>
public sealed record AuditEntry(long Id, DateTimeOffset At, string Actor, string Action, string? Target, int Status, string Outcome,
                                string? Token = null, string? Reason = null);

/// <summary>POST /api/v1/teams/{name}/members: the user to add.</summary>
public sealed record TeamMemberAdd(string? User);
