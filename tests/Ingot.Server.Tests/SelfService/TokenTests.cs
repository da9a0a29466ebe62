using System.Net;
using System.Net.Http.Json;
using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.SelfService;

public sealed class TokenTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task A_created_token_works_is_never_shown_again_and_stops_working_when_revoked()
    {
        var user = await Accounts.CreateAsync(Server);
        var created = await user.Client.CreateTokenAsync(new TokenCreate("laptop"));
        Assert.StartsWith("ingot_", created.Token);
        Assert.Equal((user.Name, "laptop"), (created.User, created.Name));

        var laptop = Server.Client(created.Token);
        Assert.Equal(user.Name, (await laptop.WhoAmIAsync()).Name);

        using (var http = Server.Http(user.Token))
        {
            var listing = await http.GetStringAsync("api/v1/tokens");
            Assert.DoesNotContain(created.Token, listing);
            Assert.DoesNotContain(created.Token["ingot_".Length..], listing);
            Assert.DoesNotContain("\"token", listing);
        }
        var mine = await user.Client.ListTokensAsync();
        Assert.Contains(mine, t => t.Id == created.Id && t.Name == "laptop" && t.User == user.Name);

        await user.Client.DeleteTokenAsync(created.Id);
        using var revoked = Server.Http(created.Token);
        var problem = await (await revoked.GetAsync("api/v1/whoami")).ProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("not known", problem.Detail);
        Assert.DoesNotContain(await user.Client.ListTokensAsync(), t => t.Id == created.Id);
    }

    [Fact]
    public async Task A_user_sees_only_its_own_tokens_and_an_admin_sees_all()
    {
        var alice = await Accounts.CreateAsync(Server);
        var bob = await Accounts.CreateAsync(Server);

        Assert.All(await alice.Client.ListTokensAsync(), t => Assert.Equal(alice.Name, t.User));
        var all = await Server.Admin.ListTokensAsync();
        Assert.Contains(all, t => t.User == alice.Name);
        Assert.Contains(all, t => t.User == bob.Name);
    }

    [Fact]
    public async Task Revoking_another_users_token_is_404_for_a_non_admin_and_the_token_keeps_working()
    {
        var alice = await Accounts.CreateAsync(Server);
        var bob = await Accounts.CreateAsync(Server);
        var bobs = Assert.Single(await bob.Client.ListTokensAsync());

        var error = await Assert.ThrowsAsync<IngotApiException>(() => alice.Client.DeleteTokenAsync(bobs.Id));
        Assert.Equal(404, error.Status);
        Assert.Equal(bob.Name, (await bob.Client.WhoAmIAsync()).Name);

        await Server.Admin.DeleteTokenAsync(bobs.Id);
        await Assert.ThrowsAsync<IngotApiException>(() => bob.Client.WhoAmIAsync());
    }

    [Fact]
    public async Task Revoking_an_unknown_token_is_404()
    {
        var error = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.DeleteTokenAsync(987654321));
        Assert.Equal(404, error.Status);
    }

    [Fact]
    public async Task Only_an_admin_may_create_a_token_for_someone_else()
    {
        var alice = await Accounts.CreateAsync(Server);
        var bob = await Accounts.CreateAsync(Server);
        var error = await Assert.ThrowsAsync<IngotApiException>(() => alice.Client.CreateTokenAsync(new TokenCreate("steal", bob.Name)));
        Assert.Equal(403, error.Status);
        Assert.Single(await bob.Client.ListTokensAsync());

        var forBob = await Server.Admin.CreateTokenAsync(new TokenCreate("ci", bob.Name));
        Assert.Equal(bob.Name, (await Server.Client(forBob.Token).WhoAmIAsync()).Name);
    }

    [Fact]
    public async Task Overlong_name_past_expiry_and_unknown_user_are_reported_together()
    {
        using var http = Server.Http();
        var body = new TokenCreate(new string('n', 101), "nobody-by-that-name", DateTimeOffset.UtcNow.AddMinutes(-1));
        var problem = await (await http.PostAsJsonAsync("api/v1/tokens", body, IngotJson.Options)).ProblemAsync((HttpStatusCode)422);
        Assert.Equal(new[] { "expires_at", "name", "user" }, problem.Errors!.Keys.Order());
        Assert.Contains("not in the future", problem.Errors["expires_at"][0]);
    }

    [Fact]
    public async Task A_token_without_a_name_gets_one_that_says_when_it_was_made()
    {
        var created = await Server.Admin.CreateTokenAsync(new TokenCreate(null));
        Assert.StartsWith("token-", created.Name);
        Assert.Equal("admin", (await Server.Client(created.Token).WhoAmIAsync()).Name);
    }

    [Fact]
    public async Task An_expired_token_is_refused_with_401_saying_it_expired()
    {
        var user = await Accounts.CreateAsync(Server);
        var expiresAt = DateTimeOffset.UtcNow.AddSeconds(1.5);
        var shortLived = await user.Client.CreateTokenAsync(new TokenCreate("short", ExpiresAt: expiresAt));
        Assert.Equal(expiresAt.ToUnixTimeMilliseconds(), shortLived.ExpiresAt!.Value.ToUnixTimeMilliseconds());
        using var http = Server.Http(shortLived.Token);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("api/v1/whoami")).StatusCode);

        var wait = expiresAt - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(200);
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        var problem = await (await http.GetAsync("api/v1/whoami")).ProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("expired", problem.Detail);
    }
}
