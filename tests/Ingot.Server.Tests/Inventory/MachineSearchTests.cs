using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.Inventory;

public sealed class MachineSearchTests(MachineFixture fixture) : IClassFixture<MachineFixture>
{
    private IngotClient Admin => fixture.Admin;

    /// <summary>Creates <paramref name="count"/> machines sharing a fresh tag, so a search scoped by that tag
    /// sees only this test's machines.</summary>
    private async Task<(string Tag, List<MachineView> Machines)> Seed(int count, Func<int, MachineCreate, MachineCreate>? shape = null)
    {
        var tag = Unique.Name("t");
        var machines = new List<MachineView>();
        for (var i = 0; i < count; i++)
        {
            var create = fixture.Full(tags: [tag]);
            machines.Add(await Admin.CreateMachineAsync(shape?.Invoke(i, create) ?? create));
        }
        return (tag, machines);
    }

    [Fact]
    public async Task Filters_combine_and_select_exactly_the_matching_machines()
    {
        var (tag, machines) = await Seed(6, (i, m) => i switch
        {
            0 => m with { Site = fixture.Site2, Rack = "r01" },
            1 => m with { Sku = null },
            2 => m with { Hostname = $"db-{Guid.NewGuid():N}"[..12] + ".x", Role = fixture.Role },
            3 => m with { Rack = "r02" },
            _ => m,
        });
        await Admin.TransitionAsync(machines[4].HardwareName, "commission");
        await Admin.SetMaintenanceAsync(machines[5].HardwareName, true, "disk");

        async Task<long[]> Ids(MachineQuery q) => (await Admin.SearchMachinesAsync(q with { Tag = tag })).Items.Select(m => m.Id).ToArray();
        long[] Of(params int[] i) => i.Select(x => machines[x].Id).ToArray();

        Assert.Equal(Of(0, 1, 2, 3, 4, 5), await Ids(new()));
        Assert.Equal(Of(1, 2, 3, 4, 5), await Ids(new(Site: fixture.Site)));
        Assert.Equal(Of(2, 3, 4, 5), await Ids(new(Site: fixture.Site, Sku: fixture.Sku)));
        Assert.Equal(Of(4), await Ids(new(Site: fixture.Site, State: "available", Sku: fixture.Sku)));
        Assert.Equal(Of(3), await Ids(new(Rack: "r02")));
        Assert.Equal(Of(2), await Ids(new(Role: fixture.Role)));
        Assert.Equal(Of(5), await Ids(new(Maintenance: true)));
        Assert.Equal(Of(0, 1, 2, 3, 4), await Ids(new(Maintenance: false)));
        Assert.Equal(Of(2), await Ids(new(HostnamePrefix: machines[2].Hostname![..6].ToUpperInvariant())));
        Assert.Empty(await Ids(new(State: "broken")));
    }

    [Fact]
    public async Task Free_text_matches_prefixes_of_hostname_serial_hardware_name_and_MAC()
    {
        var (tag, machines) = await Seed(3, (i, m) => i == 2 ? m with { Hostname = Unique.Name("qsearch") + ".x", Role = fixture.Role } : m);
        async Task<long[]> Ids(string q) => (await Admin.SearchMachinesAsync(new(Q: q, Tag: tag))).Items.Select(m => m.Id).ToArray();

        Assert.Equal([machines[0].Id], await Ids(machines[0].Serial[..10].ToLowerInvariant()));
        Assert.Equal([machines[1].Id], await Ids(machines[1].HardwareName[..10].ToUpperInvariant()));
        Assert.Equal([machines[2].Id], await Ids(machines[2].Hostname![..12]));
        Assert.Equal([machines[1].Id], await Ids(machines[1].Nics[0].Mac.ToUpperInvariant().Replace(':', '-')));
        Assert.Equal([machines[0].Id], await Ids(machines[0].Nics[1].Mac[..11]));
        Assert.Empty(await Ids("zzz-nothing"));
    }

    [Fact]
    public async Task Keyset_pages_are_stable_while_machines_are_added_and_the_total_is_counted_on_request()
    {
        var (tag, machines) = await Seed(7);
        var seen = new List<long>();
        var page = await Admin.SearchMachinesAsync(new(Tag: tag, Limit: 3, Count: true));
        Assert.Equal(7, page.Total);
        seen.AddRange(page.Items.Select(m => m.Id));
        // Machines added while paging come after every existing one: no page repeats or skips a machine.
        var late = await Admin.CreateMachineAsync(fixture.Full(tags: [tag]));
        while (page.Next is not null)
        {
            page = await Admin.SearchMachinesAsync(new(Tag: tag, Limit: 3, After: page.Next));
            Assert.Null(page.Total);
            seen.AddRange(page.Items.Select(m => m.Id));
        }
        Assert.Equal(machines.Select(m => m.Id).Append(late.Id), seen);
    }

    [Theory]
    [InlineData("state=sleeping", "state")]
    [InlineData("site=atlantis", "site")]
    [InlineData("sku=nope", "sku")]
    [InlineData("rack=r99", "rack")]
    [InlineData("role=nobody", "role")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=5000", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("after=abc", "after")]
    [InlineData("maintenance=maybe", "maintenance")]
    [InlineData("count=perhaps", "count")]
    [InlineData("stat=available", "stat")]
    [InlineData("state=new&state=broken", "state")]
    public async Task Bad_filters_are_422_naming_the_parameter(string query, string field)
    {
        using var http = fixture.Server.Http();
        var response = await http.GetAsync("api/v1/machines?" + query);
        Assert.Equal(422, (int)response.StatusCode);
        var problem = System.Text.Json.JsonSerializer.Deserialize<Problem>(await response.Content.ReadAsStringAsync(), IngotJson.Options)!;
        Assert.Contains(field, problem.Errors!.Keys);
    }
}
