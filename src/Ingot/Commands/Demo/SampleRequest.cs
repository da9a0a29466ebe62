using Ingot.Client;

namespace Ingot.Commands.Demo;

/// <summary>The tour's provisioning request (issue 13): two machines of compute-v3 in lon1 for alice's role frontend.
/// The machine the request will take first — the lowest id of the first rack, as the allocator picks — is made to fail
/// its installs, so the tour shows a machine retried, left broken and replaced.</summary>
internal static class SampleRequest
{
    public const string Role = "frontend", Site = "lon1", Sku = "compute-v3";
    public const int Count = 2;

    /// <returns>The machine that will fail, or null when there is none to rig (not the sample inventory, no fleet).</returns>
    public static async Task<string?> RigAsync(IngotClient client, DemoFleet fleet, CancellationToken ct)
    {
        var available = (await client.SearchMachinesAsync(new MachineQuery(Site: Site, State: "available", Sku: Sku, Maintenance: false, Limit: 1000), ct)).Items;
        var first = available.GroupBy(m => m.Rack ?? "").OrderBy(g => g.Key, StringComparer.Ordinal).FirstOrDefault()?.MinBy(m => m.Id);
        return first is not null && fleet.FailInstalls(first.Serial, "disk sda not found") ? first.HardwareName : null;
    }

    public static string Command(string cli, string image) =>
        $"{cli} request create --role {Role} --site {Site} --sku {Sku} --count {Count} --image {image} --wait";

    /// <summary>The tour's pool: two machines for the same role, kept in the site (other than the request's) with the most
    /// available machines of one SKU; null when no site has three to spare.</summary>
    public static async Task<string?> PoolCommandAsync(IngotClient client, string cli, string image, CancellationToken ct)
    {
        var available = (await client.SearchMachinesAsync(new MachineQuery(State: "available", Maintenance: false, Limit: 1000), ct)).Items;
        var best = available.Where(m => m.Site is not null && m.Site != Site && m.Sku is not null)
            .GroupBy(m => (Site: m.Site!, Sku: m.Sku!)).OrderByDescending(g => g.Count()).ThenBy(g => g.Key.Site).FirstOrDefault();
        return best is null || best.Count() < 3 ? null
            : $"{cli} pool create --role {Role} --site {best.Key.Site} --sku {best.Key.Sku} --desired 2 --image {image}";
    }
}
