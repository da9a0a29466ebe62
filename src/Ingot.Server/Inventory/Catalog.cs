using Ingot.Server.Data;

namespace Ingot.Server.Inventory;

/// <summary>The small reference tables (sites, racks, SKUs, roles) by name, read once per request or per
/// import, so that resolving a thousand CSV rows does not cost a thousand look-ups.</summary>
public sealed class Catalog
{
    public required IReadOnlyDictionary<string, long> Sites { get; init; }
    public required IReadOnlyDictionary<(long SiteId, string Name), long> Racks { get; init; }
    public required IReadOnlyDictionary<string, long> Skus { get; init; }
    public required IReadOnlyDictionary<string, long> Roles { get; init; }

    public static Catalog Empty { get; } = new()
    {
        Sites = new Dictionary<string, long>(), Racks = new Dictionary<(long, string), long>(),
        Skus = new Dictionary<string, long>(), Roles = new Dictionary<string, long>(),
    };

    public static async Task<Catalog> LoadAsync(DataContext c)
    {
        var sites = (await c.QueryAsync<(long Id, string Name)>("SELECT id, name FROM sites")).ToDictionary(r => r.Name, r => r.Id);
        var racks = (await c.QueryAsync<(long Id, long SiteId, string Name)>("SELECT id, site_id, name FROM racks"))
            .ToDictionary(r => (r.SiteId, r.Name), r => r.Id);
        var skus = (await c.QueryAsync<(long Id, string Name)>("SELECT id, name FROM skus")).ToDictionary(r => r.Name, r => r.Id);
        var roles = (await c.QueryAsync<(long Id, string Name)>("SELECT id, name FROM roles")).ToDictionary(r => r.Name, r => r.Id);
        return new Catalog { Sites = sites, Racks = racks, Skus = skus, Roles = roles };
    }
}
