using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using Ingot.Server.Hosting;
using Ingot.Server.SelfService;
using Ingot.Server.Tests.Infrastructure;
using Npgsql;

namespace Ingot.Server.Tests.Hosting;

/// <summary>Several nodes behind one name: a portal session and a form's antiforgery token made by one node are accepted
/// by another, because the Data Protection key ring is the database's, not each node's data directory's.</summary>
public sealed partial class PortalKeyRingTests
{
    [Fact]
    public async Task A_session_made_on_one_node_is_good_on_another_and_the_ring_holds_one_key()
    {
        var database = await TestDatabase.CreatePostgresAsync();
        var secretKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var token = Tokens.Generate();
        ServerSettings Shared(ServerSettings s) => s with { Database = database, SecretKey = secretKey };
        // Started together on an empty ring: one first key between them, not one each.
        var starting = new[] { TestServer.StartAsync(adminToken: token, configure: Shared), TestServer.StartAsync(adminToken: token, configure: Shared) };
        await using var a = await starting[0];
        await using var b = await starting[1];

        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false });
        // The sign-in form from node A, posted to node B: B accepts A's antiforgery token, and sets the session cookie.
        var form = await browser.GetStringAsync(new Uri(a.Url, "sign-in"));
        using var signIn = await browser.PostAsync(new Uri(b.Url, "sign-in"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Antiforgery().Match(form).Groups[1].Value, ["_handler"] = "sign-in", ["Form.Token"] = token,
            ["Form.ReturnUrl"] = "/machines",
        }));
        Assert.Equal(HttpStatusCode.Found, signIn.StatusCode);
        // Cookies are per host, and both nodes are 127.0.0.1: the jar sends B's session cookie to A as a browser behind a
        // load balancer would.
        using var onA = await browser.GetAsync(new Uri(a.Url, "machines"));
        Assert.Equal(HttpStatusCode.OK, onA.StatusCode);
        Assert.Contains("Machines found", await onA.Content.ReadAsStringAsync());

        await using var c = new NpgsqlConnection(database);
        Assert.Equal(1, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM portal_keys WHERE name <> 'bootstrap'"));
        // Sealed with the secret key: no key material in the clear.
        var stored = await c.ExecuteScalarAsync<byte[]>("SELECT sealed FROM portal_keys WHERE name <> 'bootstrap'");
        Assert.DoesNotContain("masterKey", System.Text.Encoding.UTF8.GetString(stored!));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Antiforgery();
}
