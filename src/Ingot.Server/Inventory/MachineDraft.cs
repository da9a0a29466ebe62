using Ingot.Client;
using Ingot.Server.Api;

namespace Ingot.Server.Inventory;

public sealed record NicDraft(string Mac, string? Name, string? Ip);
public sealed record BmcDraft(string Driver, string Address, int Port, string? Username, string? Password);

/// <summary>A machine as it will be written: validated, normalised, references resolved to ids. The API,
/// the CSV import and discovery all build drafts here, so a machine is checked the same way whichever
/// door it comes through.</summary>
public sealed record MachineDraft(
    string Serial, string? Vendor, string? Model, long? SiteId, long? RackId, int? Unit, long? SkuId,
    string? Hostname, long? RoleId, IReadOnlyList<NicDraft> Nics, BmcDraft? Bmc, IReadOnlyList<string> Tags,
    string? HardwareJson = null)
{
    /// <summary>Validates <paramref name="body"/>, recording every problem in <paramref name="v"/> under
    /// field names prefixed by <paramref name="at"/>; returns null when anything was wrong.</summary>
    public static MachineDraft? From(MachineCreate body, Catalog catalog, Validation v, string at = "")
    {
        var errorsBefore = v.Count;
        var serial = v.Required(at + "serial", body.Serial);
        if (serial is not null && !Names.IsSerial(serial)) v.Add(at + "serial", "must be 1-64 printable characters.");

        var (siteId, rackId) = MachineFields.Place(body.Site, body.Rack, catalog, v, at);
        v.Range(at + "unit", body.Unit, 1, 100);
        var skuId = MachineFields.Lookup(catalog.Skus, body.Sku, "SKU", at + "sku", v);
        var roleId = MachineFields.Lookup(catalog.Roles, body.Role, "role", at + "role", v);
        var hostname = MachineFields.Hostname(body.Hostname, roleId is not null || !string.IsNullOrWhiteSpace(body.Role), v, at);
        var nics = MachineFields.Nics(body.Nics, v, at);
        var bmc = MachineFields.Bmc(body.Bmc, v, at);
        var tags = MachineFields.Tags(body.Tags, v, at);
        if (v.Count > errorsBefore) return null;
        return new MachineDraft(Names.Serial(serial!), Trim(body.Vendor), Trim(body.Model), siteId, rackId, body.Unit,
            skuId, hostname, roleId, nics, bmc, tags);
    }

    private static string? Trim(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
