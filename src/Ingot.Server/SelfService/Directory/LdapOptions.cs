namespace Ingot.Server.SelfService.Directory;

/// <summary>Sign-in against the company's directory (OpenLDAP or Active Directory): where it is, the service account
/// that looks users up, where users and their groups are, and which groups make which teams and grants
/// (docs/authentication.md). No <see cref="Url"/>: no directory sign-in.</summary>
public sealed record LdapOptions
{
    /// <summary>ldap://host[:port] or ldaps://host[:port].</summary>
    public string? Url { get; init; }

    /// <summary>StartTLS on an ldap:// connection before anything is sent.</summary>
    public bool StartTls { get; init; }

    /// <summary>The service account that finds users and reads their groups (a user's own bind checks the password).</summary>
    public string? BindDn { get; init; }
    public string? BindPassword { get; init; }

    /// <summary>Where users are (searched below, subtree).</summary>
    public string? UserBase { get; init; }

    /// <summary>The attribute a sign-in name is: <c>uid</c> (OpenLDAP) or <c>sAMAccountName</c> (Active Directory).</summary>
    public string UserAttribute { get; init; } = "uid";

    /// <summary>More of the user search, ANDed: e.g. <c>(objectClass=person)</c>, or AD's enabled accounts
    /// <c>(!(userAccountControl:1.2.840.113556.1.4.803:=2))</c>.</summary>
    public string UserFilter { get; init; } = "(objectClass=*)";

    /// <summary>The attribute of a user (and of a group, for nesting) that lists the groups it is in: <c>memberOf</c>
    /// (Active Directory; OpenLDAP with the memberof overlay).</summary>
    public string GroupAttribute { get; init; } = "memberOf";

    /// <summary>Follow groups in groups (a group that is a member of a mapped group counts as it).</summary>
    public bool Nested { get; init; } = true;

    /// <summary>Which groups (by DN) give which team or grant: <c>DN=>team:web;DN=>grant:operator</c>.</summary>
    public IReadOnlyList<GroupMapping> Groups { get; init; } = [];

    /// <summary>How long a token from a directory sign-in lasts.</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromHours(12);

    /// <summary>How often every directory user is looked up again: a membership that went is gone within this.</summary>
    public TimeSpan SyncInterval { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    public bool Enabled => !string.IsNullOrWhiteSpace(Url);

    /// <summary>Parses <c>DN=>team:NAME</c> or <c>DN=>grant:operator|viewer|admin</c> entries separated by ';'.</summary>
    public static IReadOnlyList<GroupMapping> ParseGroups(string? text)
    {
        var list = new List<GroupMapping>();
        foreach (var entry in (text ?? "").Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var arrow = entry.LastIndexOf("=>", StringComparison.Ordinal);
            if (arrow <= 0) throw new FormatException($"'{entry}' is not DN=>team:NAME or DN=>grant:GRANT.");
            var dn = entry[..arrow].Trim();
            var target = entry[(arrow + 2)..].Trim();
            var colon = target.IndexOf(':');
            var (kind, name) = colon < 0 ? ("", "") : (target[..colon].Trim().ToLowerInvariant(), target[(colon + 1)..].Trim().ToLowerInvariant());
            if (kind == "team" && name.Length > 0) list.Add(new GroupMapping(dn, name, null));
            else if (kind == "grant" && name is "admin" or "operator" or "viewer") list.Add(new GroupMapping(dn, null, name));
            else throw new FormatException($"'{target}' (for {dn}) is not team:NAME or grant:admin|operator|viewer.");
        }
        return list;
    }
}

/// <summary>A directory group (its DN) and the team or the grant it gives.</summary>
public sealed record GroupMapping(string Dn, string? Team, string? Grant);
