using System.Globalization;
using System.Net;
using System.Text;
using Ingot.Client;

namespace Ingot.Commands.Demo;

/// <summary>A believable small fleet for the demo: three sites, several SKUs, teams owning roles, and a
/// few hundred machines in every lifecycle state. Deterministic (fixed seed), and loaded through the
/// public API (the CSV import and transitions), so the demo exercises the same paths a user does.</summary>
public static class SampleInventory
{
    public static readonly string[] Sites = ["lon1", "ash2", "sfo3"];

    public static readonly SkuCreate[] Skus =
    [
        // Hourly prices for `ingot cost` (docs/cost.md), in the server's currency.
        new("high-io-v2", 64, 512, 8, 3840, 2, "Storage-heavy: 8 NVMe", HourlyPrice: 1.90m),
        new("compute-v3", 96, 384, 2, 960, 2, "General compute", HourlyPrice: 1.20m),
        new("gpu-a100", 128, 1024, 4, 3840, 4, "8x A100 training nodes", HourlyPrice: 9.80m),
        new("edge-small", 16, 64, 1, 480, 2, "Edge cache", HourlyPrice: 0.35m),
    ];

    public static readonly (string Team, string Role, string Description)[] Roles =
    [
        ("storage", "fancydb", "The fancy database"),
        ("web", "frontend", "Public web front ends"),
        ("ml", "training", "Model training"),
        ("platform", "cache", "Edge caches"),
    ];

    public const int RacksPerSite = 6;

    public static async Task<bool> IsEmptyAsync(IngotClient client, CancellationToken ct) =>
        (await client.ListSitesAsync(ct)).Count == 0;

    /// <summary>Every machine, in id order: the order the demo puts them behind its BMCs.</summary>
    public static async Task<IReadOnlyList<MachineView>> MachinesAsync(IngotClient client, CancellationToken ct)
    {
        var all = new List<MachineView>();
        string? after = null;
        do
        {
            var page = await client.SearchMachinesAsync(new MachineQuery(Limit: 1000, After: after), ct);
            all.AddRange(page.Items);
            after = page.Next;
        } while (after is not null);
        return all;
    }

    /// <param name="bmcs">Machine i's BMC is bmcs[i] (see <see cref="SampleBmcs"/>); null or too short: no BMC.</param>
    public static async Task LoadAsync(IngotClient client, int machines, IReadOnlyList<IPEndPoint>? bmcs, CancellationToken ct)
    {
        foreach (var site in Sites)
        {
            await client.CreateSiteAsync(new SiteCreate(site, $"Datacenter {site}"), ct);
            for (var r = 1; r <= RacksPerSite; r++)
                await client.CreateRackAsync(new RackCreate(site, $"r{r:00}"), ct);
        }
        foreach (var sku in Skus) await client.CreateSkuAsync(sku, ct);
        foreach (var (team, role, description) in Roles)
        {
            await client.CreateTeamAsync(new TeamCreate(team), ct);
            await client.CreateRoleAsync(new RoleCreate(role, team, description), ct);
        }

        var result = await client.ImportMachinesAsync(Csv(machines, bmcs), ct: ct);
        if (result.Rejected > 0)
            throw new InvalidOperationException($"The sample inventory did not import cleanly: {result.Errors[0].Reason}");
        await SpreadOverStatesAsync(client, result.HardwareNames, ct);
    }

    /// <summary>The machines as the CSV an operator would import (see docs/csv-import.md).</summary>
    public static string Csv(int machines, IReadOnlyList<IPEndPoint>? bmcs = null)
    {
        var random = new Random(42);
        var csv = new StringBuilder("serial,vendor,model,site,rack,unit,sku,macs,bmc_driver,bmc_address,bmc_port,bmc_username,bmc_password,tags\n");
        for (var i = 0; i < machines; i++)
        {
            var site = Sites[i % Sites.Length];
            var sku = Skus[random.Next(Skus.Length)];
            var (vendor, model) = random.Next(3) switch { 0 => ("Dell", "PowerEdge R750"), 1 => ("HPE", "ProLiant DL380 Gen11"), _ => ("Supermicro", "SYS-620U") };
            var serial = $"{vendor[..2].ToUpperInvariant()}{100000 + i * 7:D7}";
            var macs = string.Join(' ', Enumerable.Range(0, sku.NicCount!.Value).Select(n => Mac(i, n)));
            csv.Append(CultureInfo.InvariantCulture,
                $"{serial},{vendor},{model},{site},r{1 + i / Sites.Length % RacksPerSite:00},{1 + i % 40},{sku.Name},{macs},{Bmc(bmcs, i)},{(i % 10 == 0 ? "canary" : "")}\n");
        }
        return csv.ToString();
    }

    /// <summary>The five bmc_* cells, or five empty ones ("not given").</summary>
    private static string Bmc(IReadOnlyList<IPEndPoint>? bmcs, int i)
    {
        if (bmcs is null || i >= bmcs.Count) return ",,,,";
        var bmc = SampleBmcs.Registration(bmcs[i]);
        return string.Create(CultureInfo.InvariantCulture, $"{bmc.Driver},{bmc.Address},{bmc.Port},{bmc.Username},{bmc.Password}");
    }

    private static string Mac(int machine, int nic) =>
        string.Create(CultureInfo.InvariantCulture, $"02:1a:{(machine >> 8) & 0xff:x2}:{machine & 0xff:x2}:00:{nic:x2}");

    /// <summary>Most machines are commissioned; some are in use by a role with a hostname; a few are
    /// broken, in maintenance, or left new (just racked).</summary>
    private static async Task SpreadOverStatesAsync(IngotClient client, IReadOnlyList<string> machines, CancellationToken ct)
    {
        for (var i = 0; i < machines.Count; i++)
        {
            var name = machines[i];
            if (i % 10 == 9) continue; // left new: racked, not yet commissioned
            await client.TransitionAsync(name, "commission", "sample inventory", ct);
            if (i % 23 == 5) { await client.TransitionAsync(name, "fail", "sample: BMC does not answer", ct); continue; }
            // Sites go round-robin (i % 3), so pick in-use machines by i / 3 to spread them over every site.
            if (i / 3 % 3 != 0) continue;
            var (_, role, _) = Roles[i / 3 % Roles.Length];
            var site = Sites[i % Sites.Length];
            await client.UpdateMachineAsync(name, new MachineUpdate(Role: role, Hostname: $"{role}-{i:x4}.{site}.example.net"), ct);
            await client.TransitionAsync(name, "allocate", "sample inventory", ct);
            await client.TransitionAsync(name, "install", "sample inventory", ct);
            await client.TransitionAsync(name, "finish_install", "sample inventory", ct);
            if (i % 31 == 0) await client.SetMaintenanceAsync(name, true, "sample: failed DIMM, ticket DC-1234", ct);
        }
    }
}
