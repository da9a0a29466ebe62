using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Ingot.Server.Api;

/// <summary>Who is making the request, as established by the authentication scheme (SelfService/TokenAuthentication):
/// the user, their global grant (admin, operator, viewer or none) and the teams they belong to (docs/authorization.md);
/// the token's <see cref="Scope"/> (null: the user's full rights) and expiry; the team a service account belongs to.</summary>
public sealed record Caller(long UserId, string Name, bool Admin, string? Grant, IReadOnlyDictionary<long, string> Teams,
    TokenScope? Scope = null, DateTimeOffset? TokenExpiresAt = null, string? ServiceOf = null, IReadOnlyList<string>? OperatorSites = null)
{
    /// <summary>One claim per site an operator is limited to (none: every site).</summary>
    public const string OperatorSiteClaim = "ingot:operator_site";
    public const string UserIdClaim = "ingot:user_id";
    public const string AdminClaim = "ingot:admin";
    public const string GrantClaim = "ingot:grant";
    /// <summary>One claim per team: "id:name".</summary>
    public const string TeamClaim = "ingot:team";
    /// <summary>The token the request came with, as "name (id N)", for the audit log.</summary>
    public const string TokenClaim = "ingot:token";
    public const string ScopeClaim = "ingot:scope", TokenExpiresClaim = "ingot:token_expires", ServiceOfClaim = "ingot:service_of";

    public const string OperatorGrant = "operator", ViewerGrant = "viewer";
    public static readonly string[] Grants = [OperatorGrant, ViewerGrant];

    public static Caller From(HttpContext context) => From(context.User);

    public static Caller From(ClaimsPrincipal user) => new(
        long.Parse(user.FindFirstValue(UserIdClaim) ?? "0", CultureInfo.InvariantCulture),
        user.Identity?.Name ?? "anonymous",
        user.HasClaim(AdminClaim, "true"),
        user.FindFirstValue(GrantClaim),
        user.FindAll(TeamClaim).Select(c => c.Value.Split(':', 2)).ToDictionary(p => long.Parse(p[0], CultureInfo.InvariantCulture), p => p[1]),
        TokenScope.Parse(user.FindFirstValue(ScopeClaim)),
        user.FindFirstValue(TokenExpiresClaim) is { } expires ? DateTimeOffset.Parse(expires, CultureInfo.InvariantCulture) : null,
        user.FindFirstValue(ServiceOfClaim),
        [.. user.FindAll(OperatorSiteClaim).Select(c => c.Value)]);

    /// <summary>Admins and operators of every site: every machine's hardware and lifecycle, and the inventory.</summary>
    public bool Operates => Admin || (Grant == OperatorGrant && OperatorSites is not { Count: > 0 });

    /// <summary>An operator limited to sites operates the machines of those sites (not the shared catalog).</summary>
    public bool OperatesOn(string? site) =>
        Operates || (Grant == OperatorGrant && site is not null && OperatorSites?.Contains(site) == true);

    /// <summary>A job or batch submission of <paramref name="action"/>: refused when the token is scoped to other actions
    /// or to reads (the generic check, <c>TokenScopes</c>, lets only submissions through to here).</summary>
    public void RequireScope(string action)
    {
        if (Scope is { } scope && !scope.Allows(action))
            throw new ForbiddenException($"This token of '{Name}' is scoped to {scope.Describe()}; it may not submit '{action}'.");
    }

    public void RequireAdmin(string action)
    {
        if (!Admin) throw new ForbiddenException($"{action} needs an admin token; '{Name}' is not an admin.");
    }

    /// <summary>Inventory edits stay with operators (and admins).</summary>
    public void RequireOperator(string action)
    {
        if (!Operates) throw new ForbiddenException($"{action} needs an operator (of every site) or an admin; '{Name}' is {Describe()}.");
    }

    /// <summary>Why this caller may not run <paramref name="action"/> on the machine, or null when they may.</summary>
    public string? MachineRefusal(string action, MachineOwner owner)
    {
        if (OperatesOn(owner.Site)) return null;
        if (Grant == OperatorGrant)
            return $"'{Name}' operates the machines of {string.Join(", ", OperatorSites!)} only; machine {owner.Machine} is in {owner.Site ?? "no site"}";
        if (Grant == ViewerGrant) return $"'{Name}' is a viewer: viewers read everything and act on nothing";
        if (Permissions.For(action) == Permissions.Who.Operator) return $"'{action}' is for operators; '{Name}' is {Describe()}";
        if (owner.TeamId is not { } team) return $"machine {owner.Machine} is in the free pool (it has no role), which operators manage; '{Name}' is {Describe()}";
        if (Teams.ContainsKey(team)) return null;
        return $"machine {owner.Machine} belongs to team {owner.Team} through role {owner.Role}; '{Name}' is {Describe()}";
    }

    public void RequireMachineAction(string action, MachineOwner owner)
    {
        if (MachineRefusal(action, owner) is { } reason) throw new ForbiddenException(char.ToUpperInvariant(reason[0]) + reason[1..] + ".");
    }

    /// <summary>May this caller cancel a job or batch on the machine (its submitter may always)? Its team's members and operators.</summary>
    public bool MayCancel(string submitter, MachineOwner? owner) =>
        submitter == Name || OperatesOn(owner?.Site) || (Grant != ViewerGrant && owner?.TeamId is { } team && Teams.ContainsKey(team));

    /// <summary>May this caller make a service account of the team, and its tokens? Admins and the team's people: not its
    /// viewers, not its robots (docs/authorization.md).</summary>
    public bool MayManageServiceAccountsOf(long? teamId) =>
        Admin || (teamId is { } team && Teams.ContainsKey(team) && ServiceOf is null && Grant != ViewerGrant);

    public string Describe() =>
        ServiceOf is { } of ? $"a service account of {of}"
        : Grant == OperatorGrant && OperatorSites is { Count: > 0 } sites ? $"an operator of {string.Join(", ", sites)} only"
        : Grant == ViewerGrant ? "a viewer"
        : Teams.Count == 0 ? "in no team"
        : "in " + string.Join(", ", Teams.Values.Order(StringComparer.Ordinal));
}
