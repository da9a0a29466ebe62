using System.Data.Common;
using Dapper;
using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Api;

namespace Ingot.Server.Inventory;

/// <summary>Writes machines: a new machine with its NICs, tags and first history row, or the replacement
/// of its lists on update. Callers own the transaction, so an import can write many machines in one.</summary>
public sealed class MachineWriter(SecretBox secrets)
{
    private const string MachineColumns =
        "hardware_name, serial, vendor, model, site_id, rack_id, unit, sku_id, hostname, role_id, state, maintenance, " +
        "bmc_driver, bmc_address, bmc_port, bmc_username, bmc_password, hardware, created_at, updated_at";

    public async Task<long> InsertAsync(DataContext c, MachineDraft d, string actor, string how, DateTimeOffset now) =>
        (await InsertManyAsync(c, [d], actor, how, now))[0];

    /// <summary>Inserts machines with their NICs, tags and creation history: one statement per table however many
    /// machines (<see cref="BulkRows"/>), so an import is bound by neither round trips nor parameter binding.</summary>
    /// <returns>The new ids, in the order of <paramref name="drafts"/>.</returns>
    public async Task<IReadOnlyList<long>> InsertManyAsync(
        DataContext c, IReadOnlyList<MachineDraft> drafts, string actor, string how, DateTimeOffset now)
    {
        var ids = await InsertMachinesAsync(c, drafts, now);
        await InsertNicsAsync(c, drafts.SelectMany((d, i) => d.Nics.Select(n => (ids[i], n))));
        await InsertTagsAsync(c, drafts.SelectMany((d, i) => d.Tags.Select(t => (ids[i], t))));
        var args = new DynamicParameters(new { to = Wire.Name(Lifecycle.Initial), how, actor, now });
        var history = new BulkRows(("machine_id", ids));
        await c.ExecuteAsync(
            $"""
            INSERT INTO state_history (machine_id, from_state, to_state, trigger, actor, reason, at)
            SELECT r.machine_id, NULL, @to, @how, @actor, NULL, @now FROM {history.From(c, "r", args)}
            """, args);
        return ids;
    }

    private async Task<long[]> InsertMachinesAsync(DataContext c, IReadOnlyList<MachineDraft> drafts, DateTimeOffset now)
    {
        var args = new DynamicParameters(new { state = Wire.Name(Lifecycle.Initial), now });
        var rows = new BulkRows(
            ("hardware_name", drafts.Select(d => Names.HardwareName(d.Serial)).ToArray()), ("serial", drafts.Select(d => d.Serial).ToArray()),
            ("vendor", drafts.Select(d => d.Vendor).ToArray()), ("model", drafts.Select(d => d.Model).ToArray()),
            ("site_id", drafts.Select(d => d.SiteId).ToArray()), ("rack_id", drafts.Select(d => d.RackId).ToArray()),
            ("unit", drafts.Select(d => d.Unit).ToArray()), ("sku_id", drafts.Select(d => d.SkuId).ToArray()),
            ("hostname", drafts.Select(d => d.Hostname).ToArray()), ("role_id", drafts.Select(d => d.RoleId).ToArray()),
            ("bmc_driver", drafts.Select(d => d.Bmc?.Driver).ToArray()), ("bmc_address", drafts.Select(d => d.Bmc?.Address).ToArray()),
            ("bmc_port", drafts.Select(d => d.Bmc?.Port).ToArray()), ("bmc_username", drafts.Select(d => d.Bmc?.Username).ToArray()),
            ("bmc_password", drafts.Select(d => d.Bmc?.Password is { } p ? secrets.Seal(p) : null).ToArray()),
            ("hardware", drafts.Select(d => d.HardwareJson).ToArray()));
        // RETURNING order is not promised by either engine, so ids are matched back by hardware_name.
        var returned = (await c.QueryAsync<(long Id, string HardwareName)>(
                $"""
                INSERT INTO machines ({MachineColumns})
                SELECT r.hardware_name, r.serial, r.vendor, r.model, r.site_id, r.rack_id, r.unit, r.sku_id, r.hostname, r.role_id,
                       @state, FALSE, r.bmc_driver, r.bmc_address, r.bmc_port, r.bmc_username, r.bmc_password, r.hardware, @now, @now
                FROM {rows.From(c, "r", args)}
                RETURNING id, hardware_name
                """, args))
            .ToDictionary(r => r.HardwareName, r => r.Id);
        return [.. drafts.Select(d => returned[Names.HardwareName(d.Serial)])];
    }

    public static async Task ReplaceNicsAsync(DataContext c, long machineId, IReadOnlyList<NicDraft> nics)
    {
        await c.ExecuteAsync("DELETE FROM nics WHERE machine_id = @machineId", new { machineId });
        await AddNicsAsync(c, machineId, nics);
    }

    public static Task AddNicsAsync(DataContext c, long machineId, IEnumerable<NicDraft> nics) =>
        InsertNicsAsync(c, nics.Select(n => (machineId, n)));

    public static async Task ReplaceTagsAsync(DataContext c, long machineId, IReadOnlyList<string> tags)
    {
        await c.ExecuteAsync("DELETE FROM machine_tags WHERE machine_id = @machineId", new { machineId });
        await InsertTagsAsync(c, tags.Select(t => (machineId, t)));
    }

    private static Task InsertNicsAsync(DataContext c, IEnumerable<(long MachineId, NicDraft Nic)> nics)
    {
        var list = nics.ToList();
        if (list.Count == 0) return Task.CompletedTask;
        var args = new DynamicParameters();
        var rows = new BulkRows(("machine_id", list.Select(n => n.MachineId).ToArray()), ("mac", list.Select(n => n.Nic.Mac).ToArray()),
            ("name", list.Select(n => n.Nic.Name).ToArray()), ("ip", list.Select(n => n.Nic.Ip).ToArray()));
        return c.ExecuteAsync($"INSERT INTO nics (machine_id, mac, name, ip) SELECT r.machine_id, r.mac, r.name, r.ip FROM {rows.From(c, "r", args)}", args);
    }

    private static Task InsertTagsAsync(DataContext c, IEnumerable<(long MachineId, string Tag)> tags)
    {
        var list = tags.ToList();
        if (list.Count == 0) return Task.CompletedTask;
        var args = new DynamicParameters();
        var rows = new BulkRows(("machine_id", list.Select(t => t.MachineId).ToArray()), ("tag", list.Select(t => t.Tag).ToArray()));
        return c.ExecuteAsync($"INSERT INTO machine_tags (machine_id, tag) SELECT r.machine_id, r.tag FROM {rows.From(c, "r", args)}", args);
    }

    public async Task UpdateBmcAsync(DataContext c, long machineId, BmcDraft bmc, DateTimeOffset now)
    {
        // A BMC update without a password keeps the stored one: the password is write-only, so clients
        // that read a machine and write it back never have it to send.
        await c.ExecuteAsync(
            """
            UPDATE machines SET bmc_driver = @Driver, bmc_address = @Address, bmc_port = @Port, bmc_username = @Username,
                bmc_password = CASE WHEN @keep THEN bmc_password ELSE @sealed END, updated_at = @now
            WHERE id = @machineId
            """,
            new { bmc.Driver, bmc.Address, bmc.Port, bmc.Username, keep = bmc.Password is null,
                  @sealed = bmc.Password is { } p ? secrets.Seal(p) : null, now, machineId });
    }

    /// <summary>Turns a unique-constraint violation from a machine write into a 409 that says which value clashed.</summary>
    public static ConflictException Clash(Exception e, string? serial, IEnumerable<NicDraft> nics, string? hostname)
    {
        // SQLite names "table.column", PostgreSQL the constraint "table_column_key".
        var which = DbErrors.Constraint(e).Replace('.', '_');
        if (which.Contains("nics_mac", StringComparison.OrdinalIgnoreCase))
            return new ConflictException($"A MAC address is already on another machine: {string.Join(", ", nics.Select(n => n.Mac))}.");
        if (which.Contains("machines_hostname", StringComparison.OrdinalIgnoreCase))
            return new ConflictException($"Hostname '{hostname}' is already taken by another machine.");
        return new ConflictException($"A machine with serial '{serial}' (hardware_name {Names.HardwareName(serial ?? "")}) already exists.");
    }
}
