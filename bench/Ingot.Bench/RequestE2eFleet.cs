using System.Globalization;
using System.Text;
using Ingot.Client;

namespace Ingot.Bench;

/// <summary>The end-to-end request benchmark's inventory: the boot fleet's machines (BootFleet: their MACs, BMC i at
/// 127.4.0.1 + i, admin/password) imported by CSV with a site and rack of InventoryBenchmark's catalog, all of one SKU
/// so that the request's site holds a third of the fleet as candidates, then commissioned through the API.</summary>
public static class RequestE2eFleet
{
    /// <summary>One SKU for the whole fleet: any of the catalog's would do.</summary>
    public const string Sku = "high-io-v2";

    /// <summary>CatalogAsync's sites, in the order machines are dealt to them.</summary>
    private static readonly string[] Sites = ["lon1", "ash2", "sfo3"];

    private const int ImportChunk = 10_000, Committers = 8;

    public static string Site(int index) => Sites[index % 3];

    /// <summary>r01..r20 in turn within a site, so every rack holds about as many machines (and faulty ones).</summary>
    private static string Rack(int index) => $"r{1 + index / 3 % 20:00}";

    /// <returns>Hardware names in fleet order (the import answers them in line order).</returns>
    public static async Task<List<string>> ImportAsync(IngotClient client, int count)
    {
        var names = new List<string>(count);
        for (var from = 0; from < count; from += ImportChunk)
        {
            var csv = new StringBuilder("serial,site,rack,sku,macs,bmc_driver,bmc_address,bmc_port,bmc_username,bmc_password\n");
            for (var i = from; i < Math.Min(count, from + ImportChunk); i++)
            {
                var (identity, bmc) = (BootFleet.Identity(i), BootFleet.Bmc(i));
                csv.Append(CultureInfo.InvariantCulture,
                    $"{identity.Serial},{Site(i)},{Rack(i)},{Sku},{string.Join(' ', identity.Macs)},ipmi,{bmc.Address},{bmc.Port},admin,password\n");
            }
            var result = await client.ImportMachinesAsync(csv.ToString());
            if (result.Rejected > 0) throw new InvalidOperationException($"import rejected rows: {result.Errors[0].Reason}");
            names.AddRange(result.HardwareNames);
        }
        return names;
    }

    /// <summary>new → available by <c>POST …/transitions</c>, as an operator does by hand, several at once (RequestsBenchmark's
    /// way): no statement of the benchmark's own writes the server's tables.</summary>
    public static async Task CommissionAsync(IngotClient client, IReadOnlyList<string> names)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Committers).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var i && i < names.Count) await client.TransitionAsync(names[i], "commission", "benchmark set-up");
        }));
    }

    /// <summary>Machines of the request's SKU in <paramref name="site"/> in <paramref name="state"/> (with a role), by the
    /// search's count: what a user would see, independent of the request's own lines.</summary>
    public static async Task<long> CountAsync(IngotClient client, string site, string state, string? role = null) =>
        (await client.SearchMachinesAsync(new MachineQuery(Site: site, Sku: Sku, State: state, Role: role, Limit: 1, Count: true))).Total ?? -1;
}
