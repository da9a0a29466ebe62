using System.Net;
using Ingot.Client;
using Ingot.Labs;
using Ingot.Server.SelfService.Directory;
using Ingot.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Ingot.Server.Tests.SelfService;

/// <summary>A real OpenLDAP slapd (memberof overlay, so memberOf as Active Directory has it) and a server signing in
/// against it: groups web-devs → team web, sre → grant operator, platform → team data (with platform-core inside it,
/// for nesting). The directory sync runs every 0.2 s.</summary>
public sealed class DirectoryFixture : IAsyncLifetime
{
    public SlapdProcess Directory { get; private set; } = null!;
    public TestServer Server { get; private set; } = null!;
    public string WebDevs { get; private set; } = "";
    public string Sre { get; private set; } = "";
    public string PlatformCore { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Directory = await SlapdProcess.StartAsync();
        var service = await Directory.AddUserAsync("ingot-service", "service-secret");
        WebDevs = await Directory.AddGroupAsync("web-devs", service);
        Sre = await Directory.AddGroupAsync("sre", service);
        PlatformCore = await Directory.AddGroupAsync("platform-core", service);
        var platform = await Directory.AddGroupAsync("platform", PlatformCore);
        Server = await TestServer.StartAsync(configure: s => s with
        {
            Ldap = new LdapOptions
            {
                Url = Directory.Url, BindDn = service, BindPassword = "service-secret", UserBase = SlapdProcess.People,
                UserFilter = "(objectClass=inetOrgPerson)", SyncInterval = TimeSpan.FromMilliseconds(200),
                // Typed as an operator might: spaces after the commas, another case.
                Groups = LdapOptions.ParseGroups($"{WebDevs.Replace(",", ", ")}=>team:web; {Sre.ToUpperInvariant()}=>grant:operator; {platform}=>team:data"),
            },
            // Every test here signs in from 127.0.0.1: the per-source count is tested on a server of its own.
            SignIn = new Ingot.Server.SelfService.SignInOptions(FreeUser: 3, FreeSource: 1000),
        });
        foreach (var team in new[] { "web", "data" }) await Server.Admin.CreateTeamAsync(new TeamCreate(team));
    }

    /// <summary>A new directory user in these groups.</summary>
    public async Task<string> UserAsync(string uid, string password, params string[] groups)
    {
        var dn = await Directory.AddUserAsync(uid, password);
        foreach (var group in groups) await Directory.ModifyAsync($"dn: {group}\nchangetype: modify\nadd: member\nmember: {dn}\n");
        return dn;
    }

    public IngotClient Anonymous => new(Server.Url, "");

    public LdapOptions Ldap => Server.Services.GetRequiredService<LdapOptions>();

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
        if (Directory is not null) await Directory.DisposeAsync();
    }
}

public sealed class DirectoryLoginTests(DirectoryFixture fixture) : IClassFixture<DirectoryFixture>
{
    [Fact]
    public async Task The_directorys_password_gives_an_expiring_token_whose_user_has_the_groups_teams()
    {
        await fixture.UserAsync("dana", "dana-pw", fixture.WebDevs);
        var before = DateTimeOffset.UtcNow;
        var login = await fixture.Anonymous.LoginLdapAsync("dana", "dana-pw");
        Assert.Equal("dana", login.User);
        Assert.InRange(login.ExpiresAt!.Value, before.AddHours(12).AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(12).AddMinutes(1));
        var me = await fixture.Server.Client(login.Token).WhoAmIAsync();
        Assert.Equal(["web"], me.Teams);
        Assert.Null(me.Grant);
        Assert.False(me.Admin);
        // Its origin shows in the token list (ingot tokens list).
        Assert.Equal("ldap", (await fixture.Server.Admin.ListTokensAsync()).Single(t => t.Id == login.Id).Origin);
        // The mail from the directory, for the default subscription.
        Assert.Equal("dana@ingot.test", (await fixture.Server.Admin.ListUsersAsync()).Single(u => u.Name == "dana").Email);
    }

    [Fact]
    public async Task A_wrong_password_an_unknown_user_and_a_filter_in_the_name_get_the_same_refusal()
    {
        await fixture.UserAsync("erin", "erin-pw", fixture.WebDevs);
        foreach (var (user, password) in new[] { ("erin", "wrong"), ("nobody-here", "erin-pw"), ("*", "erin-pw"), ("erin)(uid=*", "erin-pw") })
        {
            var refused = await Assert.ThrowsAsync<IngotApiException>(() => fixture.Anonymous.LoginLdapAsync(user, password));
            Assert.Equal((HttpStatusCode.Unauthorized, "The directory does not know that user with that password."),
                ((HttpStatusCode)refused.Status, refused.Problem.Detail));
        }
        // No password: a bad request, never an unauthenticated bind that directories answer with success.
        var empty = await Assert.ThrowsAsync<IngotApiException>(() => fixture.Anonymous.LoginLdapAsync("erin", ""));
        Assert.Equal(422, empty.Problem.Status);
        Assert.Contains("password", empty.Problem.Errors!.Keys);
    }

    [Fact]
    public async Task Nested_groups_give_their_team_and_a_group_gives_a_grant()
    {
        await fixture.UserAsync("finn", "finn-pw", fixture.PlatformCore, fixture.Sre);
        var me = await fixture.Server.Client((await fixture.Anonymous.LoginLdapAsync("finn", "finn-pw")).Token).WhoAmIAsync();
        Assert.Equal(["data"], me.Teams); // platform-core is inside platform, which maps to data
        Assert.Equal("operator", me.Grant);
    }

    [Fact]
    public async Task Leaving_a_group_loses_its_team_and_leaving_the_directory_revokes_the_token_within_the_sync()
    {
        var dn = await fixture.UserAsync("gale", "gale-pw", fixture.WebDevs, fixture.Sre);
        var token = (await fixture.Anonymous.LoginLdapAsync("gale", "gale-pw")).Token;
        var gale = fixture.Server.Client(token);
        Assert.Equal(["web"], (await gale.WhoAmIAsync()).Teams);

        await fixture.Directory.RemoveMemberAsync(fixture.WebDevs, dn);
        await Until(async () => (await gale.WhoAmIAsync()).Teams.Count == 0);
        Assert.Equal("operator", (await gale.WhoAmIAsync()).Grant); // still in sre

        await fixture.Directory.DeleteAsync(dn);
        await Until(async () =>
        {
            try
            {
                await gale.WhoAmIAsync();
                return false;
            }
            catch (IngotApiException e) when (e.Problem.Status == 401)
            {
                return true;
            }
        });
        Assert.DoesNotContain(await fixture.Server.Admin.ListTokensAsync(), t => t.User == "gale");
        // Gone from the directory, so no sign-in either.
        await Assert.ThrowsAsync<IngotApiException>(() => fixture.Anonymous.LoginLdapAsync("gale", "gale-pw"));
    }

    [Fact]
    public async Task A_directory_name_that_cannot_be_a_user_name_is_refused_saying_why()
    {
        await fixture.UserAsync("pat smith", "pat-pw", fixture.WebDevs);
        var refused = await Assert.ThrowsAsync<IngotApiException>(() => fixture.Anonymous.LoginLdapAsync("pat smith", "pat-pw"));
        Assert.Equal(409, refused.Status);
        Assert.Contains("ldap.user_attribute", refused.Problem.Detail);
        Assert.DoesNotContain(await fixture.Server.Admin.ListUsersAsync(), u => u.Name == "pat smith");
    }

    [Fact]
    public async Task A_local_user_of_the_same_name_is_not_taken_over()
    {
        await fixture.Server.Admin.CreateUserAsync(new UserCreate("hana", Admin: true));
        await fixture.UserAsync("hana", "hana-pw", fixture.WebDevs);
        var refused = await Assert.ThrowsAsync<IngotApiException>(() => fixture.Anonymous.LoginLdapAsync("hana", "hana-pw"));
        Assert.Equal(409, refused.Problem.Status);
        Assert.True((await fixture.Server.Admin.ListUsersAsync()).Single(u => u.Name == "hana").Admin);
    }

    [Fact]
    public async Task The_portal_offers_the_directory_and_signs_in_through_it()
    {
        await fixture.UserAsync("kim", "kim-pw", fixture.WebDevs);
        Assert.Equal(["token", "ldap"], (await fixture.Anonymous.GetSignInMethodsAsync()).Methods);
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = fixture.Server.Url };
        var page = await browser.GetStringAsync("sign-in");
        Assert.Contains("Sign in with your directory account", page);
        var antiforgery = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        async Task<HttpResponseMessage> PostAsync(string password) => await browser.PostAsync("sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = antiforgery, ["_handler"] = "directory", ["Directory.User"] = "kim", ["Directory.Password"] = password,
            ["Directory.ReturnUrl"] = "/team",
        }));
        using (var wrong = await PostAsync("not-kims"))
        {
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode); // the form again, saying why
            Assert.Contains("The directory does not know that user with that password.", await wrong.Content.ReadAsStringAsync());
        }
        using var signedIn = await PostAsync("kim-pw");
        Assert.Equal(HttpStatusCode.Found, signedIn.StatusCode);
        Assert.Equal("/team", signedIn.Headers.Location?.AbsolutePath);
        var team = await browser.GetStringAsync("team");
        Assert.Contains("<h2 id=\"team-web\">web</h2>", team);
    }

    [Fact]
    public async Task Failed_sign_ins_slow_the_user_down_for_seconds_not_for_good_and_are_audited()
    {
        await fixture.UserAsync("lee", "lee-pw", fixture.WebDevs);
        for (var i = 0; i < 4; i++) // three free, the fourth sets a wait of 1 s
            Assert.Equal(401, (await Assert.ThrowsAsync<IngotApiException>(() => fixture.Anonymous.LoginLdapAsync("lee", "guess" + i))).Status);
        // Now even the right password waits, and says for how long.
        var slowed = await Assert.ThrowsAsync<IngotApiException>(() => fixture.Anonymous.LoginLdapAsync("lee", "lee-pw"));
        Assert.Equal(429, slowed.Status);
        Assert.InRange(slowed.Problem.Extensions!["retry_after_seconds"].GetInt32(), 1, 2);
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        Assert.Equal("lee", (await fixture.Anonymous.LoginLdapAsync("lee", "lee-pw")).User);
        // The success cleared the count: a wrong password is a plain refusal again.
        Assert.Equal(401, (await Assert.ThrowsAsync<IngotApiException>(() => fixture.Anonymous.LoginLdapAsync("lee", "guess"))).Status);

        var audit = (await fixture.Server.Admin.ListAuditAsync(actor: "lee", limit: 100)).Items;
        Assert.Equal(6, audit.Count(a => a.Action == "POST /api/v1/login/ldap" && a.Outcome == "denied"));
        Assert.Single(audit, a => a.Action == "POST /api/v1/login/ldap" && a.Outcome == "succeeded");
    }

    [Fact]
    public async Task Failed_sign_ins_from_one_address_slow_that_address_and_the_portal_names_the_browsers()
    {
        await using var server = await TestServer.StartAsync(configure: s => s with { Ldap = fixture.Ldap, SignIn = new(FreeUser: 100, FreeSource: 2) });
        await fixture.UserAsync("mo", "mo-pw", fixture.WebDevs);
        // Through the server's private socket, with the portal's own client naming the browser's address.
        using var portal = new Ingot.Portal.PortalApi(new Ingot.Portal.PortalOptions
        {
            ApiSocket = Ingot.Server.Hosting.PortalSocket.PathFor(server.DataDirectory), KeyRing = _ => throw new InvalidOperationException("not used"),
        });
        var attacker = portal.ForSignIn("203.0.113.7");
        for (var i = 0; i < 3; i++) // different users: only the address's count grows
            Assert.Equal(401, (await Assert.ThrowsAsync<IngotApiException>(() => attacker.LoginLdapAsync($"nobody{i}", "x"))).Status);
        Assert.Equal(429, (await Assert.ThrowsAsync<IngotApiException>(() => attacker.LoginLdapAsync("mo", "mo-pw"))).Status);
        // Another browser, and a client over TCP (whose header would be ignored), are not slowed by that address.
        Assert.Equal("mo", (await portal.ForSignIn("198.51.100.4").LoginLdapAsync("mo", "mo-pw")).User);
        using var spoof = new HttpClient { BaseAddress = server.Url };
        spoof.DefaultRequestHeaders.Add(SignInHeaders.PortalClient, "203.0.113.7");
        Assert.Equal("mo", (await new IngotClient(spoof, "").LoginLdapAsync("mo", "mo-pw")).User);
    }

    [Fact]
    public async Task An_admin_disables_a_user_revoking_their_tokens_and_a_directory_sign_in_does_not_undo_it()
    {
        var admin = fixture.Server.Admin;
        await admin.CreateUserAsync(new UserCreate("nia"));
        var local = fixture.Server.Client((await admin.CreateTokenAsync(new TokenCreate("t", "nia"))).Token);
        await local.WhoAmIAsync();
        var disabled = await admin.DisableUserAsync("nia");
        Assert.Equal(("admin", "local"), (disabled.DisabledBy, disabled.Origin));
        Assert.Equal(401, (await Assert.ThrowsAsync<IngotApiException>(() => local.WhoAmIAsync())).Status);
        Assert.Null((await admin.EnableUserAsync("nia")).DisabledAt);
        Assert.Equal(401, (await Assert.ThrowsAsync<IngotApiException>(() => local.WhoAmIAsync())).Status); // its tokens stay revoked
        Assert.Equal(409, (await Assert.ThrowsAsync<IngotApiException>(() => admin.DisableUserAsync("admin"))).Status);

        await fixture.UserAsync("oli", "oli-pw", fixture.WebDevs);
        var token = (await fixture.Anonymous.LoginLdapAsync("oli", "oli-pw")).Token;
        await admin.DisableUserAsync("oli");
        Assert.Equal(401, (await Assert.ThrowsAsync<IngotApiException>(() => fixture.Server.Client(token).WhoAmIAsync())).Status);
        var refused = await Assert.ThrowsAsync<IngotApiException>(() => fixture.Anonymous.LoginLdapAsync("oli", "oli-pw"));
        Assert.Equal(403, refused.Status);
        Assert.Contains("disabled by admin", refused.Problem.Detail);
        await admin.EnableUserAsync("oli");
        Assert.Equal("oli", (await fixture.Anonymous.LoginLdapAsync("oli", "oli-pw")).User);
        // A member may not disable anyone.
        var member = fixture.Server.Client((await fixture.Anonymous.LoginLdapAsync("oli", "oli-pw")).Token);
        Assert.Equal(403, (await Assert.ThrowsAsync<IngotApiException>(() => member.DisableUserAsync("nia"))).Status);
    }

    private static async Task Until(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "not within 15 s");
            await Task.Delay(100);
        }
    }
}
