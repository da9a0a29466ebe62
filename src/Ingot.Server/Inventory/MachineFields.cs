using Ingot.Client;
using Ingot.Server.Api;

namespace Ingot.Server.Inventory;

/// <summary>Validation and normalisation of each machine field, shared by create, update, CSV import and
/// discovery. Each records its problems in a <see cref="Validation"/> under the field's name.</summary>
public static class MachineFields
{
    public static readonly string[] BmcDrivers = ["ipmi", "redfish", "sim"];

    public static (long? SiteId, long? RackId) Place(string? site, string? rack, Catalog catalog, Validation v, string at)
    {
        var siteId = Lookup(catalog.Sites, site, "site", at + "site", v);
        if (string.IsNullOrWhiteSpace(rack)) return (siteId, null);
        if (siteId is null)
        {
            if (string.IsNullOrWhiteSpace(site)) v.Add(at + "rack", "needs a site: a rack name is only unique within its site.");
            return (null, null);
        }
        if (catalog.Racks.TryGetValue((siteId.Value, rack.Trim().ToLowerInvariant()), out var rackId)) return (siteId, rackId);
        v.Add(at + "rack", $"no rack '{rack.Trim()}' in site '{site!.Trim().ToLowerInvariant()}'; create it first.");
        return (siteId, null);
    }

    public static long? Lookup(IReadOnlyDictionary<string, long> table, string? name, string what, string field, Validation v)
    {
        if (string.IsNullOrWhiteSpace(name)) return null;
        if (table.TryGetValue(name.Trim().ToLowerInvariant(), out var id)) return id;
        v.Add(field, $"no {what} '{name.Trim()}' exists.");
        return null;
    }

    public static string? Hostname(string? hostname, bool hasRole, Validation v, string at)
    {
        if (string.IsNullOrWhiteSpace(hostname)) return null;
        var name = hostname.Trim().ToLowerInvariant().TrimEnd('.');
        if (!Names.IsHostname(name)) v.Add(at + "hostname", $"'{hostname}' is not a valid DNS name.");
        // DESIGN.md §1: a machine has a hostname only while it has a role.
        if (!hasRole) v.Add(at + "hostname", "a machine has a hostname only while it has a role; give a role too.");
        return name;
    }

    public static IReadOnlyList<NicDraft> Nics(IReadOnlyList<NicInput>? nics, Validation v, string at)
    {
        var result = new List<NicDraft>();
        var seen = new HashSet<string>();
        for (var i = 0; i < (nics?.Count ?? 0); i++)
        {
            var nic = nics![i];
            var field = $"{at}nics[{i}]";
            var mac = Names.Mac(nic?.Mac);
            if (mac is null) { v.Add(field + ".mac", $"'{nic?.Mac}' is not a MAC address (expected six hex pairs, e.g. 52:54:00:12:34:56)."); continue; }
            if (!seen.Add(mac)) { v.Add(field + ".mac", $"{mac} is listed twice."); continue; }
            var ip = Trim(nic!.Ip);
            if (ip is not null && !Names.IsIp(ip)) v.Add(field + ".ip", $"'{ip}' is not an IP address.");
            result.Add(new NicDraft(mac, Trim(nic.Name), ip));
        }
        return result;
    }

    public static BmcDraft? Bmc(BmcInput? bmc, Validation v, string at)
    {
        if (bmc is null) return null;
        var driver = v.Required(at + "bmc.driver", bmc.Driver)?.ToLowerInvariant();
        if (driver is not null && !BmcDrivers.Contains(driver))
            v.Add(at + "bmc.driver", $"'{driver}' is not a BMC driver; use one of {string.Join(", ", BmcDrivers)}.");
        var address = v.Required(at + "bmc.address", bmc.Address);
        if (address is not null && !Names.IsBmcAddress(address))
            v.Add(at + "bmc.address", $"'{address}' is not an IP address or a DNS name.");
        v.Range(at + "bmc.port", bmc.Port, 1, 65535);
        if (driver is "ipmi" or "sim")
        {
            // The simulator's BMCs speak IPMI too: the same limits.
            if (bmc.Username is { } user && System.Text.Encoding.UTF8.GetByteCount(user) > Names.IpmiUserBytes)
                v.Add(at + "bmc.username", $"is {System.Text.Encoding.UTF8.GetByteCount(user)} bytes; IPMI keeps at most {Names.IpmiUserBytes}.");
            if (bmc.Password is { } password && System.Text.Encoding.UTF8.GetByteCount(password) > Names.IpmiPasswordBytes)
                v.Add(at + "bmc.password", $"is {System.Text.Encoding.UTF8.GetByteCount(password)} bytes; IPMI keeps at most {Names.IpmiPasswordBytes}, so no job could log in.");
        }
        if (driver is null || address is null) return null;
        var port = bmc.Port ?? (driver == "redfish" ? 443 : 623);
        return new BmcDraft(driver, address, port, Trim(bmc.Username), string.IsNullOrEmpty(bmc.Password) ? null : bmc.Password);
    }

    public static IReadOnlyList<string> Tags(IReadOnlyList<string>? tags, Validation v, string at)
    {
        var result = new List<string>();
        for (var i = 0; i < (tags?.Count ?? 0); i++)
        {
            var tag = tags![i]?.Trim().ToLowerInvariant() ?? "";
            if (!Names.IsSlug(tag)) { v.Add($"{at}tags[{i}]", $"'{tags[i]}' is not a valid tag: {Names.SlugRule}."); continue; }
            if (!result.Contains(tag)) result.Add(tag);
        }
        return result;
    }

    private static string? Trim(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
