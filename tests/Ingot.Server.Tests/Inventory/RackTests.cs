using System.Net;
using System.Net.Http.Json;
using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.Inventory;

public sealed class RackTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Create_get_list_by_site_and_delete_round_trip()
    {
        var lon = await Server.Admin.CreateSiteAsync(new SiteCreate(Unique.Name("lon")));
        var ash = await Server.Admin.CreateSiteAsync(new SiteCreate(Unique.Name("ash")));
        var rack = await Server.Admin.CreateRackAsync(new RackCreate(lon.Name, "R-01"));
        await Server.Admin.CreateRackAsync(new RackCreate(ash.Name, "r-01"));

        Assert.Equal(lon.Name, rack.Site);
        Assert.Equal("r-01", rack.Name);
        using var http = Server.Http();
        Assert.Equal(rack, await http.GetFromJsonAsync<RackView>($"api/v1/racks/{rack.Id}", IngotJson.Options));
        Assert.Equal(new[] { rack }, await Server.Admin.ListRacksAsync(lon.Name));
        Assert.Contains(rack, await Server.Admin.ListRacksAsync());

        await Server.Admin.DeleteRackAsync(rack.Id);
        await (await http.GetAsync($"api/v1/racks/{rack.Id}")).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty(await Server.Admin.ListRacksAsync(lon.Name));
    }

    [Fact]
    public async Task Create_answers_201_with_the_rack_location()
    {
        var site = await Server.Admin.CreateSiteAsync(new SiteCreate(Unique.Name("site")));
        using var http = Server.Http();
        var response = await http.PostAsJsonAsync("api/v1/racks", new RackCreate(site.Name, "r1"), IngotJson.Options);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var rack = await response.Content.ReadFromJsonAsync<RackView>(IngotJson.Options);
        Assert.Equal($"/api/v1/racks/{rack!.Id}", response.Headers.Location?.ToString());
    }

    [Fact]
    public async Task Listing_an_unknown_site_is_404_not_an_empty_list()
    {
        var error = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.ListRacksAsync("no-such-site"));
        Assert.Equal(404, error.Status);
        Assert.Contains("no-such-site", error.Problem.Detail);
    }

    [Fact]
    public async Task Unknown_rack_is_404_on_get_and_delete()
    {
        using var http = Server.Http();
        await (await http.GetAsync("api/v1/racks/987654321")).ProblemAsync(HttpStatusCode.NotFound);
        await (await http.DeleteAsync("api/v1/racks/987654321")).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Same_name_twice_in_a_site_is_409_but_another_site_may_reuse_it()
    {
        var one = await Server.Admin.CreateSiteAsync(new SiteCreate(Unique.Name("one")));
        var two = await Server.Admin.CreateSiteAsync(new SiteCreate(Unique.Name("two")));
        await Server.Admin.CreateRackAsync(new RackCreate(one.Name, "r7"));

        var error = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.CreateRackAsync(new RackCreate(one.Name, "r7")));
        Assert.Equal(409, error.Status);
        Assert.Contains("r7", error.Problem.Detail);
        Assert.Equal("r7", (await Server.Admin.CreateRackAsync(new RackCreate(two.Name, "r7"))).Name);
    }

    [Fact]
    public async Task Bad_name_and_unknown_site_are_reported_together()
    {
        using var http = Server.Http();
        var problem = await (await http.PostAsJsonAsync("api/v1/racks", new RackCreate("nowhere-site", "-bad rack-"), IngotJson.Options))
            .ProblemAsync((HttpStatusCode)422);
        Assert.Equal(new[] { "name", "site" }, problem.Errors!.Keys.Order());
        Assert.Contains("nowhere-site", problem.Errors["site"][0]);
    }

    [Fact]
    public async Task Missing_fields_are_each_required()
    {
        using var http = Server.Http();
        var problem = await (await http.PostAsJsonAsync("api/v1/racks", new { }, IngotJson.Options)).ProblemAsync((HttpStatusCode)422);
        Assert.Equal(new[] { "name", "site" }, problem.Errors!.Keys.Order());
        Assert.All(problem.Errors.Values, reasons => Assert.Contains("is required.", reasons));
    }

    [Fact]
    public async Task A_rack_holding_a_machine_cannot_be_deleted()
    {
        var site = await Server.Admin.CreateSiteAsync(new SiteCreate(Unique.Name("site")));
        var rack = await Server.Admin.CreateRackAsync(new RackCreate(site.Name, "r1"));
        var machine = await ReferencingMachine.InsertAsync(Server, siteId: site.Id, rackId: rack.Id);

        var error = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.DeleteRackAsync(rack.Id));
        Assert.Equal(409, error.Status);
        Assert.Contains("1 machine", error.Problem.Detail);
        Assert.Contains(rack, await Server.Admin.ListRacksAsync(site.Name));

        await ReferencingMachine.DeleteAsync(Server, machine);
        await Server.Admin.DeleteRackAsync(rack.Id);
    }
}
