using System.Net;
using System.Net.Http.Json;
using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.Inventory;

/// <summary>Sites, SKUs and roles carry no ETag; a PATCH with If-Match on them is never silently applied as if the
/// condition held (issue 11 A.4): a tag list is 412 and changes nothing, "*" applies.</summary>
public sealed class UntaggedPreconditionTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task If_Match_with_a_tag_on_a_site_sku_or_role_is_412_and_changes_nothing_and_a_star_applies()
    {
        var admin = fixture.Server.Admin;
        var site = (await admin.CreateSiteAsync(new SiteCreate(Unique.Name("pre"), "before"))).Name;
        var sku = (await admin.CreateSkuAsync(new SkuCreate(Unique.Name("pre"), 8, 64, 2, 480, 2, "before"))).Name;
        var team = (await admin.CreateTeamAsync(new TeamCreate(Unique.Name("team")))).Name;
        var role = (await admin.CreateRoleAsync(new RoleCreate(Unique.Name("pre"), team, "before"))).Name;
        using var http = fixture.Server.Http();

        foreach (var path in new[] { $"api/v1/sites/{site}", $"api/v1/skus/{sku}", $"api/v1/roles/{role}" })
        {
            async Task<HttpResponseMessage> PatchAsync(string description, string ifMatch)
            {
                using var request = new HttpRequestMessage(HttpMethod.Patch, path) { Content = JsonContent.Create(new { description }) };
                request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
                return await http.SendAsync(request);
            }

            var refused = await (await PatchAsync("guarded", "\"1\"")).ProblemAsync(HttpStatusCode.PreconditionFailed);
            Assert.Contains("carry no ETag", refused.Detail);
            Assert.Equal("before", (await http.GetFromJsonAsync<System.Text.Json.JsonElement>(path)).GetProperty("description").GetString());
            Assert.Equal(HttpStatusCode.OK, (await PatchAsync("any", "*")).StatusCode);
            Assert.Equal("any", (await http.GetFromJsonAsync<System.Text.Json.JsonElement>(path)).GetProperty("description").GetString());
        }
    }
}
