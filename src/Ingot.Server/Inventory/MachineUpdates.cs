using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Api;
using Ingot.Server.SelfService;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ingot.Server.Inventory;

/// <summary>PATCH /machines/{id}: absent fields stay, "" clears an optional field (unit: 0), lists replace.
/// The state is not editable here: it changes only through transitions.</summary>
public static class MachineUpdates
{
    public static async Task<Ok<MachineView>> UpdateAsync(
        string id, MachineUpdate body, HttpContext http, Database db, MachineWriter writer, TimeProvider clock, CancellationToken ct)
    {
        return TypedResults.Ok(await db.InTransactionAsync(async c =>
        {
            var machineId = await MachineReader.ResolveAsync(c, id);
            var current = await c.QuerySingleAsync<Current>(
                "SELECT site_id, rack_id, sku_id, role_id, hostname, unit, vendor, model, version FROM machines WHERE id = @machineId" + Sql.ForUpdate(c),
                new { machineId });
            MachineVersions.RequireMatch(http, current.Version, id);
            var catalog = await Catalog.LoadAsync(c);
            var v = new Validation();

            var siteName = body.Site ?? (body.Rack is { Length: > 0 } ? await SiteName(c, current.SiteId) : null);
            var (siteId, rackId) = body.Site is "" ? (null, null)
                : body.Site is null && body.Rack is null ? (current.SiteId, current.RackId)
                : MachineFields.Place(siteName, body.Rack is "" ? null : body.Rack, catalog, v, "");
            if (body.Rack is null && body.Site is { Length: > 0 } && siteId == current.SiteId) rackId = current.RackId;
            var skuId = body.Sku is "" ? null : body.Sku is null ? current.SkuId : MachineFields.Lookup(catalog.Skus, body.Sku, "SKU", "sku", v);
            var roleId = body.Role is "" ? null : body.Role is null ? current.RoleId : MachineFields.Lookup(catalog.Roles, body.Role, "role", "role", v);
            // Releasing the role releases the hostname with it (a hostname exists only while there is a role).
            var hostname = body.Hostname is "" || (body.Role is "" && body.Hostname is null) ? null
                : body.Hostname is null ? current.Hostname
                : MachineFields.Hostname(body.Hostname, roleId is not null, v, "");
            var unit = body.Unit is 0 ? null : body.Unit is null ? current.Unit : v.Range("unit", body.Unit, 1, 100);
            var nics = body.Nics is null ? null : MachineFields.Nics(body.Nics, v, "");
            var tags = body.Tags is null ? null : MachineFields.Tags(body.Tags, v, "");
            var bmc = body.Bmc is null ? null : MachineFields.Bmc(body.Bmc, v, "");
            var bootMode = BootModes.Override(body.BootMode, "boot_mode", v);
            v.ThrowIfInvalid();

            var now = clock.GetUtcNow();
            try
            {
                await c.ExecuteAsync(
                    """
                    UPDATE machines SET vendor = @vendor, model = @model, site_id = @siteId, rack_id = @rackId, unit = @unit,
                        sku_id = @skuId, role_id = @roleId, hostname = @hostname, version = version + 1, updated_at = @now
                    WHERE id = @machineId
                    """,
                    new
                    {
                        vendor = body.Vendor is null ? current.Vendor : Blank(body.Vendor), model = body.Model is null ? current.Model : Blank(body.Model),
                        siteId, rackId, unit, skuId, roleId, hostname, now, machineId,
                    });
                if (nics is not null) await MachineWriter.ReplaceNicsAsync(c, machineId, nics);
                if (tags is not null) await MachineWriter.ReplaceTagsAsync(c, machineId, tags);
                if (bmc is not null) await writer.UpdateBmcAsync(c, machineId, bmc, now);
                if (bootMode is not null)
                    await c.ExecuteAsync("UPDATE machines SET boot_mode = @mode WHERE id = @machineId",
                        new { mode = bootMode is "" ? null : bootMode, machineId });
            }
            catch (Exception e) when (DbErrors.IsUniqueViolation(e))
            {
                throw MachineWriter.Clash(e, null, nics ?? [], hostname);
            }
            await MachineVersions.SendAsync(http, c, machineId);
            return await MachineReader.GetAsync(c, machineId);
        }, ct));
    }

    private static string? Blank(string value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static async Task<string?> SiteName(DataContext c, long? siteId) =>
        siteId is null ? null : await c.ExecuteScalarAsync<string>("SELECT name FROM sites WHERE id = @siteId", new { siteId });

    private sealed class Current
    {
        public long Version { get; init; }
        public long? SiteId { get; init; }
        public long? RackId { get; init; }
        public long? SkuId { get; init; }
        public long? RoleId { get; init; }
        public string? Hostname { get; init; }
        public int? Unit { get; init; }
        public string? Vendor { get; init; }
        public string? Model { get; init; }
    }
}
