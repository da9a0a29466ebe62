using System.Net;
using System.Text;
using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.SelfService;

/// <summary>Until team/role rules arrive, a non-admin token may read everything and change nothing.</summary>
public sealed class AuthorizationTests(ServerFixture fixture) : IClassFixture<ServerFixture>, IAsyncLifetime
{
    private TestServer Server => fixture.Server;
    private Accounts.Account user = null!;
    private SiteView site = null!;
    private RackView rack = null!;
    private SkuView sku = null!;
    private TeamView team = null!;
    private RoleView role = null!;

    public async Task InitializeAsync()
    {
        user = await Accounts.CreateAsync(Server);
        site = await Server.Admin.CreateSiteAsync(new SiteCreate(Unique.Name("site")));
        rack = await Server.Admin.CreateRackAsync(new RackCreate(site.Name, "r1"));
        sku = await Server.Admin.CreateSkuAsync(new SkuCreate(Unique.Name("sku"), 8, 32, 2, 480, 2));
        team = await Server.Admin.CreateTeamAsync(new TeamCreate(Unique.Name("team")));
        role = await Server.Admin.CreateRoleAsync(new RoleCreate(Unique.Name("role"), team.Name));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_non_admin_can_read_the_inventory_and_identities()
    {
        using var http = Server.Http(user.Token);
        foreach (var path in new[]
                 {
                     "api/v1/racks", $"api/v1/racks?site={site.Name}", $"api/v1/racks/{rack.Id}", "api/v1/skus", $"api/v1/skus/{sku.Name}",
                     "api/v1/roles", $"api/v1/roles/{role.Name}", "api/v1/teams", $"api/v1/teams/{team.Name}", "api/v1/users",
                     $"api/v1/users/{user.Name}", "api/v1/whoami", "api/v1/tokens",
                 })
        {
            var response = await http.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode}");
        }
        Assert.Contains(sku, await user.Client.ListSkusAsync());
    }

    [Theory]
    [InlineData("POST", "api/v1/racks", "{\"site\":\"{site}\",\"name\":\"r2\"}")]
    [InlineData("DELETE", "api/v1/racks/{rack}", null)]
    [InlineData("POST", "api/v1/skus", "{\"name\":\"x\",\"cpu_cores\":1,\"memory_gb\":1,\"disk_count\":0,\"disk_gb\":0,\"nic_count\":0}")]
    [InlineData("PATCH", "api/v1/skus/{sku}", "{\"cpu_cores\":2}")]
    [InlineData("DELETE", "api/v1/skus/{sku}", null)]
    [InlineData("POST", "api/v1/roles", "{\"name\":\"x\",\"team\":\"{team}\"}")]
    [InlineData("PATCH", "api/v1/roles/{role}", "{\"description\":\"mine now\"}")]
    [InlineData("DELETE", "api/v1/roles/{role}", null)]
    [InlineData("POST", "api/v1/teams", "{\"name\":\"x\"}")]
    [InlineData("DELETE", "api/v1/teams/{team}", null)]
    [InlineData("POST", "api/v1/users", "{\"name\":\"x\"}")]
    public async Task A_non_admin_is_refused_every_change_with_403(string method, string path, string? body)
    {
        string Fill(string text) => text.Replace("{site}", site.Name).Replace("{rack}", rack.Id.ToString())
            .Replace("{sku}", sku.Name).Replace("{role}", role.Name).Replace("{team}", team.Name);
        using var http = Server.Http(user.Token);
        var request = new HttpRequestMessage(new HttpMethod(method), Fill(path));
        if (body is not null) request.Content = new StringContent(Fill(body), Encoding.UTF8, "application/json");

        var problem = await (await http.SendAsync(request)).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.Contains("admin", problem.Detail);
        Assert.Contains(user.Name, problem.Detail);

        // Nothing changed.
        Assert.Equal(sku, await Server.Admin.GetSkuAsync(sku.Name));
        Assert.Contains(role, await Server.Admin.ListRolesAsync());
        Assert.Contains(rack, await Server.Admin.ListRacksAsync(site.Name));
        Assert.Contains(team, await Server.Admin.ListTeamsAsync());
    }

    [Fact]
    public async Task A_non_admin_may_not_read_the_audit_log()
    {
        var error = await Assert.ThrowsAsync<IngotApiException>(() => user.Client.ListAuditAsync());
        Assert.Equal(403, error.Status);
    }
}
