using System.Diagnostics;
using System.Net.Sockets;

namespace Ingot.Labs;

/// <summary>A real OpenLDAP directory (Debian's slapd) on a free 127.0.0.1 port: an mdb database under
/// <see cref="Suffix"/> with the memberof overlay (so users and groups carry memberOf, as Active Directory's do), seeded
/// and changed with OpenLDAP's own ldapadd and ldapmodify. One per test class (its fixture stops it).
/// A missing package is an error, not a skip: the test script installs slapd and ldap-utils.</summary>
public sealed class SlapdProcess : IAsyncDisposable
{
    public const string Binary = "/usr/sbin/slapd";
    public const string Suffix = "dc=ingot,dc=test";
    public const string AdminDn = "cn=admin," + Suffix, AdminPassword = "directory-admin-secret";
    public const string People = "ou=people," + Suffix, Groups = "ou=groups," + Suffix;

    private readonly Process process;
    private readonly string root;

    public string Url { get; }

    private SlapdProcess(Process process, string root, int port)
    {
        this.process = process;
        this.root = root;
        Url = $"ldap://127.0.0.1:{port}";
    }

    public static async Task<SlapdProcess> StartAsync()
    {
        if (!File.Exists(Binary)) throw new InvalidOperationException($"{Binary} is missing: install the Debian packages slapd and ldap-utils");
        var root = Directory.CreateTempSubdirectory("ingot-slapd-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "db"));
        var config = Path.Combine(root, "slapd.conf");
        await File.WriteAllTextAsync(config,
            $"""
            include /etc/ldap/schema/core.schema
            include /etc/ldap/schema/cosine.schema
            include /etc/ldap/schema/inetorgperson.schema
            include /etc/ldap/schema/nis.schema
            modulepath /usr/lib/ldap
            moduleload back_mdb
            moduleload memberof
            pidfile {root}/slapd.pid
            database mdb
            suffix "{Suffix}"
            rootdn "{AdminDn}"
            rootpw {AdminPassword}
            directory {root}/db
            overlay memberof
            """);
        var port = LabProcesses.FreePort();
        // -d 0: stay in the foreground (a child this process can stop), logging nothing.
        var start = new ProcessStartInfo(Binary)
        {
            ArgumentList = { "-f", config, "-h", $"ldap://127.0.0.1:{port}/", "-d", "0" },
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start slapd");
        _ = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        var server = new SlapdProcess(process, root, port);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"slapd exited ({process.ExitCode})");
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
        await server.AddAsync(
            $"""
            dn: {Suffix}
            objectClass: dcObject
            objectClass: organization
            o: ingot
            dc: ingot

            dn: {People}
            objectClass: organizationalUnit
            ou: people

            dn: {Groups}
            objectClass: organizationalUnit
            ou: groups
            """);
        return server;
    }

    /// <summary>Adds entries (LDIF) with ldapadd, as the directory's admin.</summary>
    public Task AddAsync(string ldif) => ToolAsync("/usr/bin/ldapadd", ldif);

    /// <summary>Changes entries (LDIF with changetype) with ldapmodify, as the directory's admin.</summary>
    public Task ModifyAsync(string ldif) => ToolAsync("/usr/bin/ldapmodify", ldif);

    /// <summary>A person under <see cref="People"/> with a password and mail; their DN.</summary>
    public async Task<string> AddUserAsync(string uid, string password)
    {
        var dn = $"uid={uid},{People}";
        await AddAsync($"dn: {dn}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {uid}\nsn: {uid}\nmail: {uid}@ingot.test\nuserPassword: {password}\n");
        return dn;
    }

    /// <summary>A group (groupOfNames) under <see cref="Groups"/> with these member DNs (users or groups); its DN.</summary>
    public async Task<string> AddGroupAsync(string cn, params string[] members)
    {
        var dn = $"cn={cn},{Groups}";
        await AddAsync($"dn: {dn}\nobjectClass: groupOfNames\ncn: {cn}\n" + string.Concat(members.Select(m => $"member: {m}\n")));
        return dn;
    }

    public Task RemoveMemberAsync(string group, string member) =>
        ModifyAsync($"dn: {group}\nchangetype: modify\ndelete: member\nmember: {member}\n");

    public Task DeleteAsync(string dn) => ModifyAsync($"dn: {dn}\nchangetype: delete\n");

    private async Task ToolAsync(string tool, string ldif)
    {
        if (!File.Exists(tool)) throw new InvalidOperationException($"{tool} is missing: install the Debian package ldap-utils");
        var start = new ProcessStartInfo(tool)
        {
            ArgumentList = { "-x", "-H", Url, "-D", AdminDn, "-w", AdminPassword },
            RedirectStandardInput = true, RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        using var run = Process.Start(start) ?? throw new InvalidOperationException($"could not start {tool}");
        await run.StandardInput.WriteAsync(ldif);
        run.StandardInput.Close();
        var error = run.StandardError.ReadToEndAsync();
        await run.StandardOutput.ReadToEndAsync();
        await run.WaitForExitAsync();
        if (run.ExitCode != 0) throw new InvalidOperationException($"{Path.GetFileName(tool)} failed ({run.ExitCode}): {await error}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
        try { Directory.Delete(root, recursive: true); } catch (IOException) { /* best effort */ }
    }
}
