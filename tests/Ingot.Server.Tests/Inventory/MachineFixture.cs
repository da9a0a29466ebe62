using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.Inventory;

/// <summary>A server with a small catalog (one site with two racks, one SKU, one team owning one role)
/// under unique names, for the machine tests of one class.</summary>
public sealed class MachineFixture : IAsyncLifetime
{
    public TestServer Server { get; private set; } = null!;
    public string Site { get; } = Unique.Name("site");
    public string Site2 { get; } = Unique.Name("site");
    public string Sku { get; } = Unique.Name("sku");
    public string Team { get; } = Unique.Name("team");
    public string Role { get; } = Unique.Name("role");
    public IngotClient Admin => Server.Admin;

    public async Task InitializeAsync()
    {
        Server = await TestServer.StartAsync();
        await Admin.CreateSiteAsync(new SiteCreate(Site));
        await Admin.CreateSiteAsync(new SiteCreate(Site2));
        await Admin.CreateRackAsync(new RackCreate(Site, "r01"));
        await Admin.CreateRackAsync(new RackCreate(Site, "r02"));
        await Admin.CreateRackAsync(new RackCreate(Site2, "r01"));
        await Admin.CreateSkuAsync(new SkuCreate(Sku, 32, 256, 4, 1920, 2));
        await Admin.CreateTeamAsync(new TeamCreate(Team));
        await Admin.CreateRoleAsync(new RoleCreate(Role, Team));
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    public MachineCreate Full(string? hostname = null, string rack = "r01", string[]? tags = null) => new(
        Unique.Serial(), "Dell", "R650", Site, rack, 7, Sku, hostname, hostname is null ? null : Role,
        [new NicInput(Unique.Mac().ToUpperInvariant().Replace(':', '-'), "eno1", "10.1.2.3"), new NicInput(Unique.Mac(), "eno2")],
        new BmcInput("ipmi", "10.9.0.7", null, "root", "s3cret-pw"), tags ?? ["gpu", "Rack-Top"]);
}
