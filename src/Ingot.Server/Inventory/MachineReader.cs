using System.Globalization;
using System.Text.Json;
using Ingot.Server.Data;
using Ingot.Client;
using Ingot.Server.Api;

namespace Ingot.Server.Inventory;

/// <summary>Reads machines as the API shows them: one query for the machines and their names, one for
/// their NICs and one for their tags, whatever the page size.</summary>
public static class MachineReader
{
    public const string Columns =
        """
        m.id, m.hardware_name, m.serial, m.vendor, m.model, s.name AS site, r.name AS rack, m.unit, k.name AS sku,
        m.hostname, ro.name AS role, t.name AS team, m.state, m.maintenance, m.maintenance_reason,
        m.bmc_driver, m.bmc_address, m.bmc_port, m.bmc_username,
        CASE WHEN m.bmc_password IS NULL THEN 0 ELSE 1 END AS bmc_has_password,
        h.status AS bmc_health, h.failures AS bmc_failures, h.last_error AS bmc_last_error, h.since AS bmc_since,
        h.retry_after AS bmc_retry_after, h.quirks AS bmc_quirks,
        m.hardware, m.version, m.created_at, m.updated_at, m.image, m.installed_at,
        m.boot_mode AS machine_boot_mode, k.boot_mode AS sku_boot_mode, m.reported_boot_mode
        """;

    public const string From =
        """
        FROM machines m
        LEFT JOIN sites s ON s.id = m.site_id
        LEFT JOIN racks r ON r.id = m.rack_id
        LEFT JOIN skus k ON k.id = m.sku_id
        LEFT JOIN roles ro ON ro.id = m.role_id
        LEFT JOIN teams t ON t.id = ro.team_id
        LEFT JOIN bmc_health h ON h.machine_id = m.id
        """;

    /// <summary>Resolves a machine key — numeric id, hardware_name or hostname — to its id.</summary>
    public static async Task<long> ResolveAsync(DataContext c, string key)
    {
        var trimmed = key.Trim().ToLowerInvariant();
        var byId = long.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var numeric);
        long? id = byId
            ? await c.ExecuteScalarAsync<long?>("SELECT id FROM machines WHERE id = @numeric", new { numeric })
            : await c.ExecuteScalarAsync<long?>(
                "SELECT id FROM machines WHERE hardware_name = @trimmed UNION ALL SELECT id FROM machines WHERE hostname = @trimmed",
                new { trimmed });
        if (id is { } found) return found;
        // A mistyped name gets the names it was likely meant to be; an id has no near ones.
        throw new NotFoundException("machine", key, byId ? null : await NearNames.FindAsync(c, trimmed));
    }

    public static async Task<MachineView> GetAsync(DataContext c, long id) =>
        (await LoadAsync(c, [id])).Single();

    /// <summary>Views of <paramref name="ids"/>, in the order given.</summary>
    public static async Task<IReadOnlyList<MachineView>> LoadAsync(DataContext c, IReadOnlyList<long> ids)
    {
        if (ids.Count == 0) return [];
        var args = new { ids = Sql.List(ids) };
        var rows = (await c.QueryAsync<MachineRow>($"SELECT {Columns} {From} WHERE {Sql.AnyOf(c, "m.id", "ids")}", args))
            .ToDictionary(r => r.Id);
        var nics = (await c.QueryAsync<NicRow>(
                $"SELECT machine_id, mac, name, ip FROM nics WHERE {Sql.AnyOf(c, "machine_id", "ids")} ORDER BY mac", args))
            .ToLookup(n => n.MachineId);
        var tags = (await c.QueryAsync<TagRow>(
                $"SELECT machine_id, tag FROM machine_tags WHERE {Sql.AnyOf(c, "machine_id", "ids")} ORDER BY tag", args))
            .ToLookup(t => t.MachineId, t => t.Tag);
        return ids.Where(rows.ContainsKey).Select(id => rows[id].View(
            nics[id].Select(n => new NicView(n.Mac, n.Name, n.Ip)).ToList(), tags[id].ToList())).ToList();
    }

    public sealed class TagRow
    {
        public long MachineId { get; init; }
        public string Tag { get; init; } = "";
    }

    public sealed class NicRow
    {
        public long MachineId { get; init; }
        public string Mac { get; init; } = "";
        public string? Name { get; init; }
        public string? Ip { get; init; }
    }

    public sealed class MachineRow
    {
        public long Id { get; init; }
        public string HardwareName { get; init; } = "";
        public string Serial { get; init; } = "";
        public string? Vendor { get; init; }
        public string? Model { get; init; }
        public string? Site { get; init; }
        public string? Rack { get; init; }
        public int? Unit { get; init; }
        public string? Sku { get; init; }
        public string? Hostname { get; init; }
        public string? Role { get; init; }
        public string? Team { get; init; }
        public string State { get; init; } = "";
        public bool Maintenance { get; init; }
        public string? MaintenanceReason { get; init; }
        public string? BmcDriver { get; init; }
        public string? BmcAddress { get; init; }
        public int? BmcPort { get; init; }
        public string? BmcUsername { get; init; }
        public bool BmcHasPassword { get; init; }
        public string? BmcHealth { get; init; }
        public int? BmcFailures { get; init; }
        public string? BmcLastError { get; init; }
        public DateTimeOffset? BmcSince { get; init; }
        public DateTimeOffset? BmcRetryAfter { get; init; }
        public string? BmcQuirks { get; init; }
        public string? Hardware { get; init; }
        public long Version { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
        public string? Image { get; init; }
        public DateTimeOffset? InstalledAt { get; init; }
        public string? MachineBootMode { get; init; }
        public string? SkuBootMode { get; init; }
        public string? ReportedBootMode { get; init; }

        private BmcHealthView? Health() =>
            BmcHealth is not null && Wire.TryParse<BmcHealthStatus>(BmcHealth, out var status)
                ? new BmcHealthView(status, BmcFailures ?? 0, BmcLastError, BmcSince ?? UpdatedAt, BmcRetryAfter,
                    BmcQuirks is null ? [] : BmcQuirks.Split(','))
                : null;

        public MachineView View(IReadOnlyList<NicView> nics, IReadOnlyList<string> tags)
        {
            Wire.TryParse<MachineState>(State, out var state);
            var (bootMode, bootModeSource) = BootModes.Resolve(MachineBootMode, SkuBootMode, ReportedBootMode);
            return new MachineView(Id, HardwareName, Serial, Vendor, Model, Site, Rack, Unit, Sku, Hostname, Role, Team,
                state, Maintenance, MaintenanceReason, nics,
                BmcDriver is null ? null : new BmcView(BmcDriver, BmcAddress ?? "", BmcPort ?? 0, BmcUsername, BmcHasPassword, Health()),
                tags, Hardware is null ? null : JsonSerializer.Deserialize<HardwareFacts>(Hardware, IngotJson.Options),
                CreatedAt, UpdatedAt, Image, InstalledAt, bootMode, bootModeSource, ReportedBootMode);
        }
    }
}
