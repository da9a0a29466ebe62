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

    private const string MachineColumns =
        "hardware_name, serial, vendor, model, site_id, rack_id, unit, sku_id, hostname, role_id, state, maintenance, " +
        "bmc_driver, bmc_address, bmc_port, bmc_username, bmc_password, hardware, created_at, updated_at";

    public async Task<long> InsertAsync(DbConnection c, DbTransaction tx, MachineDraft d, string actor, string how, DateTimeOffset now) =>
        (await InsertManyAsync(c, tx, [d], actor, how, now))[0];

    /// <summary>Inserts machines with their NICs, tags and creation history, a few statements per 500
    /// machines rather than several per machine: an import is bound by round trips, not by rows.</summary>
    /// <returns>The new ids, in the order of <paramref name="drafts"/>.</returns>
    public async Task<IReadOnlyList<long>> InsertManyAsync(
        DbConnection c, DbTransaction tx, IReadOnlyList<MachineDraft> drafts, string actor, string how, DateTimeOffset now)
    {
        var ids = new List<long>(drafts.Count);
        foreach (var chunk in drafts.Chunk(MultiRowInsert.RowsPerStatement(c)))
        {
            var chunkIds = await InsertMachinesAsync(c, tx, chunk, now);
            await MultiRowInsert.InsertAsync(c, tx, "nics (machine_id, mac, name, ip)",
                chunk.SelectMany((d, i) => d.Nics.Select(n => new object?[] { chunkIds[i], n.Mac, n.Name, n.Ip })));
            await MultiRowInsert.InsertAsync(c, tx, "machine_tags (machine_id, tag)",
                chunk.SelectMany((d, i) => d.Tags.Select(t => new object?[] { chunkIds[i], t })));
            await MultiRowInsert.InsertAsync(c, tx, "state_history (machine_id, from_state, to_state, trigger, actor, reason, at)",
                chunkIds.Select(id => new object?[] { id, null, Wire.Name(Lifecycle.Initial), how, actor, null, now }));
            ids.AddRange(chunkIds);
        }
        return ids;
    }

    private async Task<long[]> InsertMachinesAsync(DbConnection c, DbTransaction tx, MachineDraft[] chunk, DateTimeOffset now)
    {
        var rows = chunk.Select(d => new object?[]
        {
            Names.HardwareName(d.Serial), d.Serial, d.Vendor, d.Model, d.SiteId, d.RackId, d.Unit, d.SkuId, d.Hostname, d.RoleId,
            Wire.Name(Lifecycle.Initial), false, d.Bmc?.Driver, d.Bmc?.Address, d.Bmc?.Port, d.Bmc?.Username,
            d.Bmc?.Password is { } p ? secrets.Seal(p) : null, d.HardwareJson, now, now,
        });
        var (values, args) = MultiRowInsert.Values(c, rows);
        // RETURNING order is not promised by either engine, so ids are matched back by hardware_name.
        var returned = (await c.QueryAsync<(long Id, string HardwareName)>(
            $"INSERT INTO machines ({MachineColumns}) VALUES {values} RETURNING id, hardware_name", args, tx))
            .ToDictionary(r => r.HardwareName, r => r.Id);
        return chunk.Select(d => returned[Names.HardwareName(d.Serial)]).ToArray();
    }

    public static async Task ReplaceNicsAsync(DbConnection c, DbTransaction tx, long machineId, IReadOnlyList<NicDraft> nics)
    {
        await c.ExecuteAsync("DELETE FROM nics WHERE machine_id = @machineId", new { machineId }, tx);
        await AddNicsAsync(c, tx, machineId, nics);
    }

    public static Task AddNicsAsync(DbConnection c, DbTransaction tx, long machineId, IEnumerable<NicDraft> nics) =>
        MultiRowInsert.InsertAsync(c, tx, "nics (machine_id, mac, name, ip)", nics.Select(n => new object?[] { machineId, n.Mac, n.Name, n.Ip }));

    public static async Task ReplaceTagsAsync(DbConnection c, DbTransaction tx, long machineId, IReadOnlyList<string> tags)
    {
        await c.ExecuteAsync("DELETE FROM machine_tags WHERE machine_id = @machineId", new { machineId }, tx);
        await MultiRowInsert.InsertAsync(c, tx, "machine_tags (machine_id, tag)", tags.Select(t => new object?[] { machineId, t }));
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
