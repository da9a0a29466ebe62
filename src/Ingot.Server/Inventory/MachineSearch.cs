using System.Globalization;
using System.Text;
using Dapper;
using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Api;
using Microsoft.AspNetCore.Http;

namespace Ingot.Server.Inventory;

/// <summary>The machine search: filters combined with AND, keyset pagination on id (stable while rows are
/// inserted: a page never repeats or skips a machine that existed when paging began), total on request.
/// Every filter maps onto an index that ends in id (see the migration), so a page is one range scan.</summary>
public static class MachineSearch
{
    public const int DefaultLimit = 100, MaxLimit = 1000;

    private static readonly string[] Known =
        ["site", "rack", "sku", "state", "role", "owner", "tag", "maintenance", "bmc_health", "hostname_prefix", "q", "limit", "after", "count"];

    /// <param name="caller">Whose "owner=me" is.</param>
    public static async Task<Page<MachineView>> RunAsync(DataContext c, IQueryCollection query, Caller caller)
    {
        var v = new Validation();
        var text = new QueryText(query, Known, "machine", v);
        // The catalog only resolves names; a search without name filters (the common paging case) skips its queries.
        var catalog = new[] { "site", "rack", "sku", "role" }.Any(query.ContainsKey) ? await Catalog.LoadAsync(c) : Catalog.Empty;
        var where = new StringBuilder("WHERE 1 = 1");
        var args = new DynamicParameters();

        string? Text(string name) => text.Text(name);

        var siteId = MachineFields.Lookup(catalog.Sites, Text("site"), "site", "site", v);
        if (siteId is not null) { where.Append(" AND m.site_id = @siteId"); args.Add("siteId", siteId); }
        if (Text("rack") is { } rack)
        {
            var racks = catalog.Racks.Where(r => r.Key.Name == rack.ToLowerInvariant() && (siteId is null || r.Key.SiteId == siteId))
                .Select(r => r.Value).ToArray();
            if (racks.Length == 0) v.Add("rack", $"no rack '{rack}' exists{(siteId is null ? "" : " in that site")}.");
            where.Append(" AND ").Append(Sql.AnyOf(c, "m.rack_id", "racks"));
            args.Add("racks", Sql.List(racks));
        }
        if (MachineFields.Lookup(catalog.Skus, Text("sku"), "SKU", "sku", v) is { } skuId) { where.Append(" AND m.sku_id = @skuId"); args.Add("skuId", skuId); }
        if (MachineFields.Lookup(catalog.Roles, Text("role"), "role", "role", v) is { } roleId) { where.Append(" AND m.role_id = @roleId"); args.Add("roleId", roleId); }
        if (Text("owner") is { } owner) await OwnerAsync(c, owner, caller, where, args, v);
        if (Text("state") is { } stateText)
        {
            if (Wire.TryParse<MachineState>(stateText, out var state)) { where.Append(" AND m.state = @state"); args.Add("state", Wire.Name(state)); }
            else v.Add("state", $"'{stateText}' is not a state; use one of {Wire.Names<MachineState>()}.");
        }
        if (Text("tag") is { } tag)
        {
            where.Append(" AND EXISTS (SELECT 1 FROM machine_tags mt WHERE mt.machine_id = m.id AND mt.tag = @tag)");
            args.Add("tag", tag.ToLowerInvariant());
        }
        if (Text("bmc_health") is { } health)
        {
            if (Wire.TryParse<BmcHealthStatus>(health, out var h))
            {
                // A BMC with no health row has never failed: it counts as ok.
                where.Append(h == BmcHealthStatus.Ok
                    ? " AND NOT EXISTS (SELECT 1 FROM bmc_health bh WHERE bh.machine_id = m.id AND bh.status <> 'ok')"
                    : " AND EXISTS (SELECT 1 FROM bmc_health bh WHERE bh.machine_id = m.id AND bh.status = @bmcHealth)");
                args.Add("bmcHealth", Wire.Name(h));
            }
            else v.Add("bmc_health", $"'{health}' is not a BMC health; use one of {Wire.Names<BmcHealthStatus>()}.");
        }
        if (text.Bool("maintenance") is { } maintenance) { where.Append(" AND m.maintenance = @maintenance"); args.Add("maintenance", maintenance); }
        if (Text("hostname_prefix") is { } prefix)
        {
            where.Append(" AND m.hostname >= @hostLow AND m.hostname < @hostHigh");
            AddPrefix(args, "host", prefix.ToLowerInvariant());
        }
        if (Text("q") is { } q) AppendFreeText(c, where, args, q);

        var limit = text.Int("limit", 1, MaxLimit) ?? DefaultLimit;
        var after = text.Cursor();
        var count = text.Bool("count") ?? false;
        v.ThrowIfInvalid();

        long? total = count ? await c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM machines m {where}", args) : null;
        if (after is not null) { where.Append(" AND m.id > @after"); args.Add("after", after); }
        args.Add("take", limit + 1);
        var ids = (await c.QueryAsync<long>($"SELECT m.id FROM machines m {where} ORDER BY m.id LIMIT @take", args)).ToList();
        var more = ids.Count > limit;
        if (more) ids.RemoveAt(ids.Count - 1);
        var items = await MachineReader.LoadAsync(c, ids);
        return new Page<MachineView>(items, more ? ids[^1].ToString(CultureInfo.InvariantCulture) : null, total);
    }

    /// <summary>q matches a prefix of the hostname, serial, hardware_name or any MAC, case-insensitively.
    /// Written as a UNION of four index range scans so that neither engine falls back to a table scan.</summary>
    private static void AppendFreeText(DataContext c, StringBuilder where, DynamicParameters args, string q)
    {
        AddPrefix(args, "lower", q.ToLowerInvariant());
        AddPrefix(args, "upper", q.ToUpperInvariant());
        AddPrefix(args, "mac", Names.Mac(q) ?? q.ToLowerInvariant().Replace('-', ':'));
        where.Append(
            """
             AND m.id IN (
                SELECT id FROM machines WHERE hostname >= @lowerLow AND hostname < @lowerHigh
                UNION SELECT id FROM machines WHERE hardware_name >= @lowerLow AND hardware_name < @lowerHigh
                UNION SELECT id FROM machines WHERE serial >= @upperLow AND serial < @upperHigh
                UNION SELECT machine_id FROM nics WHERE mac >= @macLow AND mac < @macHigh)
            """);
    }

    /// <summary>A prefix as a half-open range [p, p + U+FFFF): byte order in SQLite and in PostgreSQL's
    /// C collation, which the searched columns use.</summary>
    /// <summary>owner=me (the machines of the caller's teams' roles), owner=team:NAME, or owner=pool (no role: the free
    /// pool, which operators manage); docs/authorization.md says who owns what.</summary>
    private static async Task OwnerAsync(DataContext c, string owner, Caller caller, StringBuilder where, DynamicParameters args, Validation v)
    {
        owner = owner.ToLowerInvariant();
        if (owner == "pool") { where.Append(" AND m.role_id IS NULL"); return; }
        long[] teams;
        if (owner == "me") teams = [.. caller.Teams.Keys];
        else if (owner.StartsWith("team:", StringComparison.Ordinal))
        {
            var name = owner["team:".Length..];
            if (await c.ExecuteScalarAsync<long?>("SELECT id FROM teams WHERE name = @name", new { name }) is { } id) teams = [id];
            else { v.Add("owner", $"no team '{name}' exists."); return; }
        }
        else { v.Add("owner", $"'{owner}' is not an owner; use me, team:NAME or pool."); return; }
        where.Append($" AND m.role_id IN (SELECT r.id FROM roles r WHERE {Sql.AnyOf(c, "r.team_id", "ownerTeams")})");
        args.Add("ownerTeams", Sql.List(teams));
    }

    private static void AddPrefix(DynamicParameters args, string name, string prefix)
    {
        args.Add(name + "Low", prefix);
        args.Add(name + "High", prefix + '\uffff');
    }
}
