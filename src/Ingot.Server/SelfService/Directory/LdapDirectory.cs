using System.DirectoryServices.Protocols;
using System.Net;
using System.Text;

namespace Ingot.Server.SelfService.Directory;

/// <summary>A user as the directory has them: their entry's DN, sign-in name, mail, and every group they are in
/// (nested groups followed when <see cref="LdapOptions.Nested"/>), as normalised DNs (<see cref="Normalize"/>).</summary>
public sealed record DirectoryUser(string Dn, string Name, string? Email, IReadOnlySet<string> Groups);

/// <summary>The directory, over LDAP v3 (System.DirectoryServices.Protocols on Debian's libldap): the service account
/// finds a user and reads their groups; the user's own bind proves the password. The library's calls block, with the
/// options' timeout; they run off the request's thread.</summary>
public sealed class LdapDirectory(LdapOptions options)
{
    /// <summary>Who <paramref name="name"/> is in the directory; null when no entry (or more than one) matches.</summary>
    public Task<DirectoryUser?> FindAsync(string name, CancellationToken ct) => Task.Run(() =>
    {
        using var connection = Connect(new NetworkCredential(options.BindDn, options.BindPassword));
        var filter = $"(&{options.UserFilter}({options.UserAttribute}={Escape(name)}))";
        var found = Search(connection, options.UserBase ?? "", filter, SearchScope.Subtree, options.UserAttribute, "mail", options.GroupAttribute);
        if (found.Count != 1) return null;
        var entry = found[0];
        var groups = new HashSet<string>(Values(entry, options.GroupAttribute).Select(Normalize), StringComparer.Ordinal);
        if (options.Nested) AddParents(connection, groups, ct);
        return (DirectoryUser?)new DirectoryUser(entry.DistinguishedName, Values(entry, options.UserAttribute).FirstOrDefault() ?? name,
            Values(entry, "mail").FirstOrDefault(), groups);
    }, ct);

    /// <summary>Whether <paramref name="password"/> is the password of the entry <paramref name="dn"/> (a bind as it).</summary>
    public Task<bool> VerifyAsync(string dn, string password, CancellationToken ct) => Task.Run(() =>
    {
        // An empty password would be an unauthenticated bind (RFC 4513 5.1.2), which directories answer with success.
        if (string.IsNullOrEmpty(password)) return false;
        try
        {
            using var _ = Connect(new NetworkCredential(dn, password));
            return true;
        }
        catch (LdapException e) when (e.ErrorCode == 49) // invalidCredentials
        {
            return false;
        }
    }, ct);

    /// <summary>Groups of groups: each group's own group attribute, until no new one comes (a cycle ends it too).</summary>
    private void AddParents(LdapConnection connection, HashSet<string> groups, CancellationToken ct)
    {
        var next = new Queue<string>(groups);
        while (next.Count > 0 && groups.Count < 10_000)
        {
            ct.ThrowIfCancellationRequested();
            var group = next.Dequeue();
            IReadOnlyList<SearchResultEntry> found;
            try
            {
                found = Search(connection, group, "(objectClass=*)", SearchScope.Base, options.GroupAttribute);
            }
            catch (DirectoryOperationException)
            {
                continue; // a group the service account may not read, or one that went: it adds nothing
            }
            foreach (var parent in found.SelectMany(e => Values(e, options.GroupAttribute)).Select(Normalize))
                if (groups.Add(parent)) next.Enqueue(parent);
        }
    }

    private LdapConnection Connect(NetworkCredential credential)
    {
        var uri = new Uri(options.Url!);
        var ldaps = uri.Scheme.Equals("ldaps", StringComparison.OrdinalIgnoreCase);
        var port = uri.Port > 0 ? uri.Port : ldaps ? 636 : 389;
        var connection = new LdapConnection(new LdapDirectoryIdentifier(uri.Host, port), credential, AuthType.Basic) { Timeout = options.Timeout };
        try
        {
            connection.SessionOptions.ProtocolVersion = 3;
            connection.SessionOptions.ReferralChasing = ReferralChasingOptions.None;
            if (ldaps) connection.SessionOptions.SecureSocketLayer = true;
            else if (options.StartTls) connection.SessionOptions.StartTransportLayerSecurity(null);
            connection.Bind();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static List<SearchResultEntry> Search(LdapConnection connection, string baseDn, string filter, SearchScope scope, params string[] attributes)
    {
        var response = (SearchResponse)connection.SendRequest(new SearchRequest(baseDn, filter, scope, attributes));
        return [.. response.Entries.Cast<SearchResultEntry>()];
    }

    private static IEnumerable<string> Values(SearchResultEntry entry, string attribute) =>
        entry.Attributes.Contains(attribute) ? entry.Attributes[attribute].GetValues(typeof(string)).Cast<string>() : [];

    /// <summary>A value as a filter may hold it (RFC 4515 3): backslash, star, parentheses and NUL escaped, so a sign-in
    /// name cannot widen the search (<c>*</c>, <c>)(uid=*</c>).</summary>
    public static string Escape(string value)
    {
        var text = new StringBuilder(value.Length);
        foreach (var ch in value)
            text.Append(ch switch { '\\' => @"\5c", '*' => @"\2a", '(' => @"\28", ')' => @"\29", '\0' => @"\00", _ => ch.ToString() });
        return text.ToString();
    }

    /// <summary>A DN as the mapping compares it: lower case, no spaces around the separators (directories return DNs as
    /// stored, and an option may be typed with <c>", "</c>).</summary>
    public static string Normalize(string dn) =>
        string.Join(",", dn.Split(',').Select(rdn => string.Join("=", rdn.Split('=', 2).Select(p => p.Trim())))).ToLowerInvariant();
}
