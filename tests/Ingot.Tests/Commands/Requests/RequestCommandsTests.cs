using System.Globalization;
using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Requests;

/// <summary>request create, list, show, watch and cancel against a server without workers: the allocation is real
/// (machines move to allocated, named), the installs stay queued.</summary>
public sealed class RequestCommandsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    private async Task<(string Site, string Sku, string Role)> PlaceAsync(int machines)
    {
        var site = (await Server.Admin.CreateSiteAsync(new SiteCreate(Unique.Name("site")))).Name;
        await Server.Admin.CreateRackAsync(new RackCreate(site, "r1"));
        var sku = (await Server.Admin.CreateSkuAsync(new SkuCreate(Unique.Name("sku"), 8, 32, 1, 100, 1))).Name;
        var team = (await Server.Admin.CreateTeamAsync(new TeamCreate(Unique.Name("team")))).Name;
        var role = (await Server.Admin.CreateRoleAsync(new RoleCreate(Unique.Name("db"), team))).Name;
        for (var i = 0; i < machines; i++)
        {
            var m = await Server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial(), Site: site, Rack: "r1", Sku: sku,
                Bmc: new BmcInput("ipmi", "127.0.9.9", 623, "admin", "password")));
            await Server.Admin.TransitionAsync(m.HardwareName, "commission");
        }
        if ((await Server.Admin.ListImagesAsync()).All(i => i.Name != "debian-12"))
            await Server.Admin.CreateImageAsync(new ImageCreate("debian-12", ImageKind.Install, "http://images.invalid/k", "http://images.invalid/i"));
        return (site, sku, role);
    }

    [Fact]
    public async Task Create_shows_what_the_request_took_and_list_show_and_cancel_follow_it()
    {
        var (site, sku, role) = await PlaceAsync(machines: 2);
        using var cli = CliRunner.For(Server);

        var created = await cli.OkAsync("request", "create", "--role", role, "--site", site, "--sku", sku, "--count", "3", "--image", "debian-12",
            "--hostname-template", "{role}-{n}.{site}");
        Assert.Contains("short by 1: 2 available machine(s)", created.Out);
        Assert.Contains($"{role}-1.{site}", created.Out);
        Assert.Contains($"{role}-2.{site}", created.Out);
        var id = Lines.Row(created.Out, "id:")[1];
        Assert.Equal($"follow with: ingot request watch {id}", created.Error.Trim());

        var row = Lines.Row((await cli.OkAsync("request", "list", "--role", role)).Out, id);
        Assert.Equal([role, site, sku, "3", "0", "2", "1", "installing"], row[1..9]);
        var shown = (await cli.OkAsync("request", "show", id, "-o", "json")).Json<RequestView>();
        Assert.Equal((2, 1), (shown.Installing, shown.ShortBy));

        var cancelled = (await cli.OkAsync("request", "cancel", id, "-o", "json")).Json<RequestView>();
        Assert.Equal(RequestStatus.Cancelled, cancelled.Status);
        // Not fulfilled: exit 1, after the summary line.
        var watch = await cli.RunAsync("request", "watch", id);
        Assert.Equal(1, watch.ExitCode);
        Assert.StartsWith($"request {id} cancelled: 0/3 in use", watch.Out);
    }

    [Fact]
    public async Task A_request_the_server_refuses_is_its_422_naming_the_fields()
    {
        var (site, sku, _) = await PlaceAsync(machines: 0);
        using var cli = CliRunner.For(Server);
        var refused = await cli.FailsAsync(1, "request", "create", "--role", "no-such-role", "--site", site, "--sku", sku, "--count", "0", "--image", "debian-12");
        Assert.Contains("role", refused.Error);
        Assert.Contains("count", refused.Error);
        // Whatever is missing is named at once, by the server.
        var missing = await cli.FailsAsync(1, "request", "create", "--site", site);
        foreach (var field in new[] { "role", "sku", "count", "image" }) Assert.Contains(field, missing.Error);
    }
}
