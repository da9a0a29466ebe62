using System.Net;
using System.Net.Http.Json;
using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.Inventory;

public sealed class SiteTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Create_get_list_patch_delete_round_trip()
    {
        var name = Unique.Name("lon");
        var created = await Server.Admin.CreateSiteAsync(new SiteCreate(name.ToUpperInvariant(), "London"));
        Assert.Equal((name, "London"), (created.Name, created.Description));
        Assert.Equal(created, await Server.Admin.GetSiteAsync(name));
        Assert.Contains(created, await Server.Admin.ListSitesAsync());

        using var http = Server.Http();
        var kept = await (await http.PatchAsJsonAsync($"api/v1/sites/{name}", new { })).Content.ReadFromJsonAsync<SiteView>(IngotJson.Options);
        Assert.Equal("London", kept!.Description);
        var changed = await (await http.PatchAsJsonAsync($"api/v1/sites/{name}", new { description = "London, Docklands" }))
            .Content.ReadFromJsonAsync<SiteView>(IngotJson.Options);
        Assert.Equal("London, Docklands", changed!.Description);
        var cleared = await (await http.PatchAsJsonAsync($"api/v1/sites/{name}", new { description = "" })).Content.ReadFromJsonAsync<SiteView>(IngotJson.Options);
        Assert.Null(cleared!.Description);
        var renamed = await http.PatchAsJsonAsync($"api/v1/sites/{name}", new { name = "other" });
        Assert.Contains("name", (await renamed.ProblemAsync(HttpStatusCode.UnprocessableEntity)).Errors!.Keys);

        await Server.Admin.DeleteSiteAsync(name);
        Assert.Equal(404, (await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.GetSiteAsync(name))).Status);
    }

    [Fact]
    public async Task Duplicate_site_is_409_and_a_site_with_racks_cannot_be_deleted()
    {
        var name = Unique.Name("ash");
        await Server.Admin.CreateSiteAsync(new SiteCreate(name));
        Assert.Equal(409, (await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.CreateSiteAsync(new SiteCreate(name)))).Status);
        await Server.Admin.CreateRackAsync(new RackCreate(name, "r01"));
        var refused = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.DeleteSiteAsync(name));
        Assert.Equal(409, refused.Status);
        Assert.Contains("racks or machines", refused.Problem.Detail);
        Assert.Equal(name, (await Server.Admin.GetSiteAsync(name)).Name);
    }
}
