using System.Text.Json.Serialization;

namespace Ingot.Client;

/// <summary><c>grant</c>: <c>operator</c> or <c>viewer</c> (docs/authorization.md); without one a user acts on the machines of
/// their teams' roles. <c>service_of</c>: a service account of that team (a robot user whose tokens act with the team's
/// rights), which its members may create too; it takes no admin, grant or other teams. <c>email</c>: where the user's
/// default subscription sends their own batches and requests (docs/events.md).</summary>
public sealed record UserCreate(string? Name, bool? Admin = null, IReadOnlyList<string>? Teams = null, string? Grant = null, string? ServiceOf = null,
                                IReadOnlyList<string>? Sites = null, string? Email = null);

/// <summary>PATCH /api/v1/users/{name}, by the user or an admin: <c>email</c> sets the address ("" removes it, and with
/// it the default subscription); an absent field is left as it is.</summary>
public sealed record UserUpdate(string? Email = null);
/// <summary><c>service_of</c>: the team whose service account this user is, null for a person.</summary>
/// <summary><c>sites</c>: the sites an operator is limited to (null: every site).</summary>
/// <summary><c>email</c>: the address the user's default subscription sends to (null: none).</summary>
/// <summary><c>origin</c>: <c>local</c> (made in Ingot) or <c>ldap</c> (made by a directory sign-in). <c>disabled_at</c> and
/// <c>disabled_by</c> (an admin's name, or <c>directory</c> for the directory sync): a disabled user has no tokens and
/// cannot sign in.</summary>
public sealed record UserView(long Id, string Name, bool Admin, IReadOnlyList<string> Teams, DateTimeOffset CreatedAt, string? Grant = null, string? ServiceOf = null,
                              IReadOnlyList<string>? Sites = null, string? Email = null, string Origin = "local", DateTimeOffset? DisabledAt = null,
                              string? DisabledBy = null);

/// <summary><c>scope</c> (docs/authorization.md): null for the full rights of its user; <c>"read"</c> (or <c>["read"]</c>) for
/// GET and HEAD only; or a list of job actions (<c>["power_cycle", "reboot"]</c>) it may submit, as jobs or batches, beside reads.</summary>
public sealed record TokenCreate(string? Name, string? User = null, DateTimeOffset? ExpiresAt = null,
    [property: JsonConverter(typeof(OneOrMany))] IReadOnlyList<string>? Scope = null);
/// <summary><c>scope</c>: null (the user's full rights), <c>["read"]</c>, or the job actions the token may submit.</summary>
/// <summary><c>created_by</c>: who made the token (a team member for a service account's; null before it was kept).</summary>
/// <summary><c>origin</c>: how it was issued: <c>api</c> (POST /api/v1/tokens) or the sign-in that made it (<c>ldap</c>).</summary>
public sealed record TokenView(long Id, string Name, string User, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, IReadOnlyList<string>? Scope = null,
                               string? CreatedBy = null, string Origin = "api");

/// <summary>A new API token. <see cref="Token"/> is shown this once; the server keeps only its hash.</summary>
public sealed record TokenCreated(long Id, string Name, string User, string Token, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, IReadOnlyList<string>? Scope = null,
                                  string? CreatedBy = null);

/// <summary>Who the presented token speaks for, and that token's scope and expiry; <c>service_of</c> names the team of a
/// service account.</summary>
public sealed record WhoAmI(string Name, bool Admin, IReadOnlyList<string> Teams, string? Grant = null,
    IReadOnlyList<string>? Scope = null, DateTimeOffset? TokenExpiresAt = null, string? ServiceOf = null);

/// <summary>One audited request: <c>token</c> names the token it came with, <c>reason</c> why it was refused.</summary>
public sealed record AuditEntry(long Id, DateTimeOffset At, string Actor, string Action, string? Target, int Status, string Outcome,
                                string? Token = null, string? Reason = null);

/// <summary>POST /api/v1/teams/{name}/members: the user to add.</summary>
public sealed record TeamMemberAdd(string? User);

/// <summary>POST /api/v1/login/ldap: a directory user's sign-in name and password; the answer is an expiring token
/// (docs/authentication.md).</summary>
public sealed record DirectoryLogin(string? User, string? Password);

/// <summary>GET /api/v1/login: the ways this server signs people in (<c>token</c>, and <c>ldap</c> when a directory is
/// configured), for a sign-in page to offer.</summary>
public sealed record SignInMethods(IReadOnlyList<string> Methods);

/// <summary>The header in which the portal, calling the API over the server's private Unix socket, names the browser's
/// address for a sign-in (failed sign-ins are counted per source). The server reads it on that socket only.</summary>
public static class SignInHeaders
{
    public const string PortalClient = "Ingot-Portal-Client";
}
