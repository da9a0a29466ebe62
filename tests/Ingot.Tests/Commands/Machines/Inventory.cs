using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Machines;

/// <summary>A site, rack, SKU, team and role of their own for one test, made through the typed client, so
/// the test is about the machine verb and its names collide with no other test's.</summary>
public sealed record Inventory(string Site, string Rack, string Sku, string Team, string Role)
{
    public static async Task<Inventory> CreateAsync(TestServer server)
    {
        var client = server.Admin;
        var inventory = new Inventory(Unique.Name("site"), "r01", Unique.Name("sku"), Unique.Name("team"), Unique.Name("role"));
        await client.CreateSiteAsync(new SiteCreate(inventory.Site));
        await client.CreateRackAsync(new RackCreate(inventory.Site, inventory.Rack));
        await client.CreateSkuAsync(new SkuCreate(inventory.Sku, 64, 512, 8, 3840, 2));
        await client.CreateTeamAsync(new TeamCreate(inventory.Team));
        await client.CreateRoleAsync(new RoleCreate(inventory.Role, inventory.Team));
        return inventory;
    }

    /// <summary>The machine with <paramref name="serial"/>, or null: the API finds machines by id, hardware_name
    /// or hostname, and by serial only through search.</summary>
    public static async Task<MachineView?> BySerialAsync(TestServer server, string serial) =>
        (await server.Admin.SearchMachinesAsync(new MachineQuery(Q: serial))).Items.SingleOrDefault(m => m.Serial == serial);

    /// <summary>A machine in this inventory's site and rack, made through the typed client.</summary>
    public async Task<MachineView> MachineAsync(TestServer server, int unit, IReadOnlyList<string>? tags = null) =>
        await server.Admin.CreateMachineAsync(new MachineCreate(
            Unique.Serial(), Site: Site, Rack: Rack, Unit: unit, Sku: Sku, Nics: [new NicInput(Unique.Mac())], Tags: tags));
}
