using System.Net;
using System.Net.Http.Json;
using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.SelfService;

public sealed class AuditTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Every_change_is_recorded_with_its_outcome_including_refused_ones()
    {
        var user = await Accounts.CreateAsync(Server);
        var teamName = Unique.Name("audited");
        using var http = Server.Http(user.Token);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.PostAsJsonAsync("api/v1/teams", new { name = teamName })).StatusCode);
        var token = await user.Client.CreateTokenAsync(new TokenCreate("audited"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await http.PostAsJsonAsync("api/v1/tokens", new { name = "x", expires_at = "2001-01-01T00:00:00Z" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"api/v1/tokens/{token.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync($"api/v1/tokens/{token.Id}")).StatusCode);

        var entries = (await Server.Admin.ListAuditAsync(actor: user.Name)).Items;
        var id = token.Id.ToString();
        Assert.Equal(
            new (string, string?, int, string)[]
            {
                ("DELETE /api/v1/tokens/{id}", id, 404, "rejected"),
                ("DELETE /api/v1/tokens/{id}", id, 204, "succeeded"),
                ("POST /api/v1/tokens", null, 422, "rejected"),
                ("POST /api/v1/tokens", null, 201, "succeeded"),
                ("POST /api/v1/teams", null, 403, "denied"),
            },
            entries.Select(e => (e.Action, e.Target, e.Status, e.Outcome)));
        Assert.All(entries, e => Assert.Equal(user.Name, e.Actor));
        Assert.All(entries, e => Assert.InRange(e.At, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1)));
    }

    [Fact]
    public async Task Requests_without_a_valid_token_are_recorded_as_anonymous_and_denied()
    {
        var name = Unique.Name("anon");
        using var http = Server.Http("ingot_forged");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.DeleteAsync($"api/v1/teams/{name}")).StatusCode);

        var entry = Assert.Single((await Server.Admin.ListAuditAsync(actor: "anonymous", limit: 1000)).Items, e => e.Target == name);
        Assert.Equal(("DELETE /api/v1/teams/{name}", 401, "denied"), (entry.Action, entry.Status, entry.Outcome));
    }

    [Fact]
    public async Task Reads_are_not_recorded()
    {
        var user = await Accounts.CreateAsync(Server);
        await user.Client.ListSkusAsync();
        await user.Client.WhoAmIAsync();
        Assert.Empty((await Server.Admin.ListAuditAsync(actor: user.Name)).Items);
    }

    [Fact]
    public async Task Pages_are_newest_first_and_chain_through_next_until_the_end()
    {
        var user = await Accounts.CreateAsync(Server);
        for (var i = 0; i < 5; i++) await user.Client.CreateTokenAsync(new TokenCreate($"t{i}"));

        var seen = new List<AuditEntry>();
        var pages = 0;
        string? after = null;
        do
        {
            var page = await Server.Admin.ListAuditAsync(actor: user.Name, limit: 2, after: after);
            Assert.InRange(page.Items.Count, 1, 2);
            seen.AddRange(page.Items);
            after = page.Next;
            pages++;
        } while (after is not null);

        Assert.Equal(3, pages);
        Assert.Equal(5, seen.Count);
        Assert.Equal(seen.Select(e => e.Id).OrderDescending(), seen.Select(e => e.Id));
        Assert.Equal(5, seen.Select(e => e.Id).Distinct().Count());
    }

    [Fact]
    public async Task Limit_defaults_to_100_and_a_full_last_page_has_no_next()
    {
        var user = await Accounts.CreateAsync(Server);
        for (var i = 0; i < 2; i++) await user.Client.CreateTokenAsync(new TokenCreate($"t{i}"));
        var exact = await Server.Admin.ListAuditAsync(actor: user.Name, limit: 2);
        Assert.Equal(2, exact.Items.Count);
        Assert.Null(exact.Next);

        for (var i = 0; i < 105; i++)
            await Server.Admin.CreateTeamAsync(new TeamCreate(Unique.Name("bulk")));
        var page = await Server.Admin.ListAuditAsync();
        Assert.Equal(100, page.Items.Count);
        Assert.Equal(page.Items[^1].Id.ToString(), page.Next);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("limit=-5", "limit")]
    [InlineData("after=abc", "after")]
    [InlineData("after=-1", "after")]
    [InlineData("limit=0&after=x", "after,limit")]
    public async Task Bad_paging_values_are_422_naming_the_parameter(string query, string fields)
    {
        using var http = Server.Http();
        var problem = await (await http.GetAsync("api/v1/audit?" + query)).ProblemAsync((HttpStatusCode)422);
        Assert.Equal(fields.Split(','), problem.Errors!.Keys.Order());
    }
}
