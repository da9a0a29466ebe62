using Ingot.Server.Data;

namespace Ingot.Server.Inventory;

/// <summary>The uniqueness checks of an import, done before writing so that every clash is reported with
/// its line instead of surfacing as a constraint violation: within the file (the later line names the
/// first) and against the fleet, in batched queries rather than one per row.</summary>
public static class ImportChecks
{
    /// <summary>Rows per fleet query: well under SQLite's parameter limit and PostgreSQL's comfortable array size.</summary>
    public const int Chunk = 500;

    public static void WithinFile(IReadOnlyList<ImportCandidate> rows)
    {
        var serials = new Dictionary<string, ImportCandidate>(StringComparer.Ordinal);
        var macs = new Dictionary<string, int>(StringComparer.Ordinal);
        var hostnames = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            // Keyed by hardware_name, which is unique too: serials that differ only in punctuation
            // ("AB-1", "AB 1") would make the same name.
            if (row.HardwareName is { } name && !serials.TryAdd(name, row))
            {
                var first = serials[name];
                row.Reasons.Add(first.Serial == row.Serial
                    ? $"serial '{row.Serial}' is already on line {first.Line}"
                    : $"serial '{row.Serial}' gives the same hardware_name ({name}) as serial '{first.Serial}' on line {first.Line}");
            }
            foreach (var mac in row.Macs)
                if (!macs.TryAdd(mac, row.Line)) row.Reasons.Add($"MAC {mac} is already on line {macs[mac]}");
            if (row.Hostname is { } hostname && !hostnames.TryAdd(hostname, row.Line))
                row.Reasons.Add($"hostname '{hostname}' is already on line {hostnames[hostname]}");
        }
    }

    public static async Task AgainstFleetAsync(DataContext c, IReadOnlyList<ImportCandidate> rows)
    {
        foreach (var chunk in rows.Chunk(Chunk))
        {
            await SerialsAsync(c, chunk);
            await HostnamesAsync(c, chunk);
        }
        // MACs are chunked on their own: one row may list several.
        var byMac = rows.SelectMany(r => r.Macs.Select(mac => (mac, row: r))).ToLookup(p => p.mac, p => p.row);
        foreach (var chunk in byMac.Select(g => g.Key).Chunk(Chunk))
        {
            var owners = await c.QueryAsync<(string Mac, string HardwareName)>(
                $"SELECT n.mac, m.hardware_name FROM nics n JOIN machines m ON m.id = n.machine_id WHERE {Sql.AnyOf(c, "n.mac", "macs")}",
                new { macs = Sql.List(chunk) });
            foreach (var (mac, owner) in owners)
                foreach (var row in byMac[mac])
                    row.Reasons.Add($"MAC {mac} is already in the fleet, on {owner}");
        }
    }

    private static async Task SerialsAsync(DataContext c, ImportCandidate[] chunk)
    {
        var serials = chunk.Select(r => r.Serial).OfType<string>().ToArray();
        var names = chunk.Select(r => r.HardwareName).OfType<string>().ToArray();
        if (serials.Length == 0) return;
        var existing = (await c.QueryAsync<(string Serial, string HardwareName)>(
            $"SELECT serial, hardware_name FROM machines WHERE {Sql.AnyOf(c, "serial", "serials")} OR {Sql.AnyOf(c, "hardware_name", "names")}",
            new { serials = Sql.List(serials), names = Sql.List(names) })).ToList();
        var bySerial = existing.ToDictionary(e => e.Serial, e => e.HardwareName, StringComparer.Ordinal);
        var byName = existing.ToDictionary(e => e.HardwareName, e => e.Serial, StringComparer.Ordinal);
        foreach (var row in chunk.Where(r => r.Serial is not null))
        {
            if (bySerial.TryGetValue(row.Serial!, out var same))
                row.Reasons.Add($"serial '{row.Serial}' is already in the fleet, as {same}");
            else if (byName.TryGetValue(row.HardwareName!, out var other))
                row.Reasons.Add($"serial '{row.Serial}' gives hardware_name {row.HardwareName}, which machine '{other}' already has");
        }
    }

    private static async Task HostnamesAsync(DataContext c, ImportCandidate[] chunk)
    {
        var hostnames = chunk.Select(r => r.Hostname).OfType<string>().ToArray();
        if (hostnames.Length == 0) return;
        var taken = (await c.QueryAsync<(string Hostname, string HardwareName)>(
            $"SELECT hostname, hardware_name FROM machines WHERE {Sql.AnyOf(c, "hostname", "hostnames")}", new { hostnames = Sql.List(hostnames) }))
            .ToDictionary(t => t.Hostname, t => t.HardwareName);
        foreach (var row in chunk)
            if (row.Hostname is { } hostname && taken.TryGetValue(hostname, out var owner))
                row.Reasons.Add($"hostname '{hostname}' is already taken by {owner}");
    }
}
