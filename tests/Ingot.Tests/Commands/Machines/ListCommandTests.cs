using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Machines;

public sealed class ListCommandTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task The_table_has_a_row_per_machine_with_its_place_and_state()
    {
        var inv = await Inventory.CreateAsync(Server);
        var machine = await inv.MachineAsync(Server, unit: 7);
        using var cli = CliRunner.For(Server);

        var result = await cli.OkAsync("machines", "list", "--site", inv.Site);
        Assert.Equal(["ID", "HARDWARE", "NAME", "HOSTNAME", "SITE", "RACK/UNIT", "SKU", "ROLE", "STATE", "MAINTENANCE"],
            Lines.Cells(Lines.Of(result.Out)[0]));
        Assert.Equal([machine.Id.ToString(), machine.HardwareName, "-", inv.Site, $"{inv.Rack}/7", inv.Sku, "-", "new", "no"],
            Lines.Row(result.Out, machine.HardwareName, column: 1));
        Assert.Equal(2, Lines.Of(result.Out).Length);
        Assert.Equal("", result.Error);
    }

    [Fact]
    public async Task Filters_combine()
    {
        var inv = await Inventory.CreateAsync(Server);
        var tagged = await inv.MachineAsync(Server, unit: 1, tags: ["gpu"]);
        var plain = await inv.MachineAsync(Server, unit: 2);
        var resting = await inv.MachineAsync(Server, unit: 3, tags: ["gpu"]);
        await Server.Admin.SetMaintenanceAsync(resting.HardwareName, true, "fan noise");
        using var cli = CliRunner.For(Server);

        var gpu = (await cli.OkAsync("machines", "list", "--site", inv.Site, "--tag", "gpu", "-o", "json")).Json<Page<MachineView>>();
        Assert.Equal([tagged.Id, resting.Id], gpu.Items.Select(m => m.Id).Order());

        var working = (await cli.OkAsync("machines", "list", "--site", inv.Site, "--tag", "gpu", "--maintenance", "false", "-o", "json"))
            .Json<Page<MachineView>>();
        Assert.Equal([tagged.Id], working.Items.Select(m => m.Id));

        var found = (await cli.OkAsync("machines", "list", "--q", plain.Serial, "-o", "json")).Json<Page<MachineView>>();
        Assert.Equal([plain.Id], found.Items.Select(m => m.Id));

        Assert.Equal("yes", Lines.Row((await cli.OkAsync("machines", "list", "--site", inv.Site, "--maintenance", "true")).Out, resting.HardwareName, 1)[^1]);
    }

    [Fact]
    public async Task A_limited_page_prints_total_and_next_cursor_on_stderr_and_after_continues()
    {
        var inv = await Inventory.CreateAsync(Server);
        var machines = new List<MachineView>();
        for (var unit = 1; unit <= 3; unit++) machines.Add(await inv.MachineAsync(Server, unit));
        using var cli = CliRunner.For(Server);

        var first = await cli.OkAsync("machines", "list", "--site", inv.Site, "--limit", "2", "--count");
        Assert.Equal(3, Lines.Of(first.Out).Length); // header + 2
        var notes = Lines.Of(first.Error);
        Assert.Contains("total: 3", notes);
        var cursor = notes.Single(n => n.StartsWith("next page: --after ")).Split("--after ")[1];

        var second = await cli.OkAsync("machines", "list", "--site", inv.Site, "--limit", "2", "--after", cursor);
        Assert.Equal(machines[2].HardwareName, Lines.Cells(Lines.Of(second.Out)[1])[1]);
        Assert.Equal("", second.Error);
    }

    [Fact]
    public async Task All_follows_the_pages_to_the_end()
    {
        var inv = await Inventory.CreateAsync(Server);
        var machines = new List<MachineView>();
        for (var unit = 1; unit <= 5; unit++) machines.Add(await inv.MachineAsync(Server, unit));
        using var cli = CliRunner.For(Server);

        var table = await cli.OkAsync("machines", "list", "--site", inv.Site, "--limit", "2", "--all");
        Assert.Equal(machines.Select(m => m.HardwareName), Lines.Of(table.Out).Skip(1).Select(l => Lines.Cells(l)[1]));
        Assert.DoesNotContain("next page", table.Error);

        var json = (await cli.OkAsync("machines", "list", "--site", inv.Site, "--limit", "2", "--all", "--count", "-o", "json")).Json<Page<MachineView>>();
        Assert.Equal(machines.Select(m => m.Id), json.Items.Select(m => m.Id));
        Assert.Null(json.Next);
        Assert.Equal(5, json.Total);
    }

    [Fact]
    public async Task A_bad_filter_is_the_servers_422()
    {
        using var cli = CliRunner.For(Server);
        var result = await cli.FailsAsync(1, "machines", "list", "--state", "sleeping");
        Assert.StartsWith("error: Invalid request (422):", result.Error);
        Assert.Contains("sleeping", result.Error);
    }
}
