using System.CommandLine;
using System.Net;
using Ingot.Client;

namespace Ingot.Commands.Boot;

/// <summary>`ingot boot dnsmasq-config`: one site's inventory as a dnsmasq configuration (DnsmasqConfig).</summary>
internal static class DnsmasqConfigCommand
{
    public static Command Create(CliContext context)
    {
        var site = new Option<string>("--site") { Description = "The site whose machines' NICs to list.", Required = true };
        var serverUrl = new Option<string?>("--server-url")
        {
            Description = "The URL machines reach the Ingot server at; iPXE fetches SERVER/boot/boot.ipxe from it. Default: the --url in use.",
            HelpName = "url",
        };
        var tftpRoot = new Option<string>("--tftp-root")
        {
            Description = $"The directory dnsmasq serves {DnsmasqConfig.BiosBinary} and {DnsmasqConfig.EfiBinary} from.",
            DefaultValueFactory = _ => DnsmasqConfig.DefaultTftpRoot,
            HelpName = "path",
        };
        // Not -o: every client verb already uses -o for table|json.
        var file = new Option<string?>("--file")
        {
            Description = "Write the configuration to this file (replaced whole, never half-written) instead of stdout.",
            HelpName = "path",
        };

        var command = new Command("dnsmasq-config",
            "Print a dnsmasq configuration for one site: a dhcp-host line per known NIC, and iPXE chainloading " +
            "(PXE ROMs get iPXE over TFTP, iPXE gets SERVER/boot/boot.ipxe). Same inventory, same bytes.")
        {
            site, serverUrl, tftpRoot, file,
        };
        return command.Set(context, async (s, parse, ct) =>
        {
            var server = parse.GetValue(serverUrl) is { } given ? ParseUrl(given) : s.Connection.Url;
            var settings = new DnsmasqSettings(parse.GetValue(site)!.Trim().ToLowerInvariant(), server, parse.GetValue(tftpRoot)!);
            // Checked before the server is asked, so a typo costs no request.
            if (DnsmasqConfig.Problem(settings) is { } problem) throw new UsageException(problem);

            // An unknown site is the server's 422 ("no site 'x' exists"), reported by Failures.
            var machines = await SiteMachinesAsync(s.Client, settings.Site, ct);
            var hosts = DnsmasqConfig.HostsOf(machines).ToList();
            var config = DnsmasqConfig.Render(hosts, settings);

            var path = parse.GetValue(file);
            if (path is not null) await WriteWholeAsync(path, config, ct);
            if (parse.GetValue(serverUrl) is null && IsLoopback(server))
                await s.Output.NoteAsync($"warning: the boot URL {DnsmasqConfig.BootstrapUrl(server)} is a loopback address that " +
                                         "machines cannot reach; pass --server-url.", ct);

            if (s.Output.IsJson)
                await s.Output.JsonAsync(new DnsmasqConfigView(settings.Site, DnsmasqConfig.BootstrapUrl(server), machines.Count,
                    hosts.Count, path, config), ct);
            else if (path is null) { await s.Context.Out.WriteAsync(config.AsMemory(), ct); await s.Context.Out.FlushAsync(ct); }
            else await s.Output.NoteAsync($"wrote {path}: {machines.Count} machines, {hosts.Count} NICs of site {settings.Site}.", ct);
            return 0;
        });
    }

    /// <summary>Every machine of the site, following the server's keyset pages to the end.</summary>
    private static async Task<List<MachineView>> SiteMachinesAsync(IngotClient client, string site, CancellationToken ct)
    {
        var query = new MachineQuery(Site: site);
        var page = await client.SearchMachinesAsync(query, ct);
        var machines = new List<MachineView>(page.Items);
        while (page.Next is { } next)
        {
            page = await client.SearchMachinesAsync(query with { After = next }, ct);
            machines.AddRange(page.Items);
        }
        return machines;
    }

    private static Uri ParseUrl(string text) =>
        Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url)
            ? url
            : throw new UsageException($"--server-url '{text}' is not an absolute URL (e.g. http://ingot.example.net:7420).");

    private static bool IsLoopback(Uri url) =>
        url.IsLoopback || (IPAddress.TryParse(url.IdnHost, out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>Writes beside the target, then renames over it: dnsmasq (or a watcher reloading it) never
    /// sees a half-written file, and a failed write leaves the old one in place.</summary>
    private static async Task WriteWholeAsync(string path, string config, CancellationToken ct)
    {
        var full = Path.GetFullPath(path);
        var temporary = full + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            await File.WriteAllTextAsync(temporary, config, ct);
            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temporary); } catch (IOException) { /* best effort: the write itself failed */ }
            throw new UsageException($"Cannot write the configuration to {path}: {e.Message}");
        }
    }
}
