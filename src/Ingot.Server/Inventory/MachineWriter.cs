using System.Data.Common;
using Dapper;
using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Hosting;

namespace Ingot.Server.Inventory;

/// <summary>Writes machines: a new machine with its NICs, tags and first history row, or the replacement
/// of its lists on update. Callers own the transaction, so an import can write many machines in one.</summary>
public sealed class MachineWriter(SecretBox secrets)
{
    public async Task<long> InsertAsync(DbConnection c, DbTransaction tx, MachineDraft d, string actor, string how, DateTimeOffset now)
    {
        var id = await c.ExecuteScalarAsync<long>(
            """
            INSERT INTO machines (hardware_name, serial, vendor, model, site_id, rack_id, unit, sku_id, hostname, role_id,
                state, maintenance, bmc_driver, bmc_address, bmc_port, bmc_username, bmc_password, hardware, created_at, updated_at)
            VALUES (@hardwareName, @Serial, @Vendor, @Model, @SiteId, @RackId, @Unit, @SkuId, @Hostname, @RoleId,
                @state, @maintenance, @bmcDriver, @bmcAddress, @bmcPort, @bmcUsername, @bmcPassword, @HardwareJson, @now, @now)
            RETURNING id
            """,
            new
            {
                hardwareName = Names.HardwareName(d.Serial), d.Serial, d.Vendor, d.Model, d.SiteId, d.RackId, d.Unit, d.SkuId,
                d.Hostname, d.RoleId, state = Wire.Name(Lifecycle.Initial), maintenance = false,
                bmcDriver = d.Bmc?.Driver, bmcAddress = d.Bmc?.Address, bmcPort = d.Bmc?.Port, bmcUsername = d.Bmc?.Username,
                bmcPassword = d.Bmc?.Password is { } p ? secrets.Seal(p) : null, d.HardwareJson, now,
            }, tx);
        await InsertNicsAsync(c, tx, id, d.Nics);
        await InsertTagsAsync(c, tx, id, d.Tags);
        await c.ExecuteAsync(
            "INSERT INTO state_history (machine_id, from_state, to_state, trigger, actor, reason, at) VALUES (@id, NULL, @to, @how, @actor, NULL, @now)",
            new { id, to = Wire.Name(Lifecycle.Initial), how, actor, now }, tx);
        return id;
    }

    public static async Task ReplaceNicsAsync(DbConnection c, DbTransaction tx, long machineId, IReadOnlyList<NicDraft> nics)
    {
        await c.ExecuteAsync("DELETE FROM nics WHERE machine_id = @machineId", new { machineId }, tx);
        await InsertNicsAsync(c, tx, machineId, nics);
    }

    private static async Task InsertNicsAsync(DbConnection c, DbTransaction tx, long machineId, IReadOnlyList<NicDraft> nics)
    {
        if (nics.Count > 0)
            await c.ExecuteAsync("INSERT INTO nics (machine_id, mac, name, ip) VALUES (@machineId, @Mac, @Name, @Ip)",
                nics.Select(n => new { machineId, n.Mac, n.Name, n.Ip }), tx);
    }

    public static async Task ReplaceTagsAsync(DbConnection c, DbTransaction tx, long machineId, IReadOnlyList<string> tags)
    {
        await c.ExecuteAsync("DELETE FROM machine_tags WHERE machine_id = @machineId", new { machineId }, tx);
        await InsertTagsAsync(c, tx, machineId, tags);
    }

    private static async Task InsertTagsAsync(DbConnection c, DbTransaction tx, long machineId, IReadOnlyList<string> tags)
    {
        if (tags.Count > 0)
            await c.ExecuteAsync("INSERT INTO machine_tags (machine_id, tag) VALUES (@machineId, @tag)",
                tags.Select(tag => new { machineId, tag }), tx);
    }

    public async Task UpdateBmcAsync(DbConnection c, DbTransaction tx, long machineId, BmcDraft bmc, DateTimeOffset now)
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
                  @sealed = bmc.Password is { } p ? secrets.Seal(p) : null, now, machineId }, tx);
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
