using System.Net;
using System.Net.Http.Json;
using Ingot.Client;
using Ingot.Server.Api;
using Ingot.Server.SelfService;
using Ingot.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ingot.Server.Tests.SelfService;

/// <summary>Issue 12's matrix, generated from the permission table (Api/Permissions, which docs/authorization.md shows):
/// every endpoint the server maps has a row, and every kind of caller gets what its row says. A new endpoint without a
/// row fails <see cref="Every_mapped_endpoint_has_a_row_and_every_row_an_endpoint"/>. Machine actions, whose answer
/// depends on whose the machine is, are run for every action of the table on machines of each kind of owner.</summary>
public sealed class AuthorizationMatrixTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    private IEnumerable<string> Mapped() =>
        Server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            // The portal's pages are not the API's: they call it (docs/adr/0006-portal.md), and the table is the API's.
            .Where(e => Ingot.Server.Hosting.ApiPaths.Matches("/" + e.RoutePattern.RawText!.TrimStart('/')))
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["ANY"]).Select(m => EndpointPermissions.Key(m, e)))
            .Distinct();

    [Fact]
    public void Every_mapped_endpoint_has_a_row_and_every_row_an_endpoint()
    {
        var mapped = Mapped().ToHashSet();
        var rows = Permissions.Endpoints.Select(r => r.Endpoint).ToList();
        Assert.Empty(mapped.Except(rows).Order());
        Assert.Empty(rows.Except(mapped).Order());
        Assert.Equal(rows.Count, rows.Distinct().Count());
    }

    /// <summary>The callers of the matrix, each a token (empty: none), and the site and teams they are made for.</summary>
    private sealed record Cast(Dictionary<string, string> Callers, string Site, string OwnRole, string OtherRole);

    private async Task<Cast> CastAsync()
    {
        var site = (await Server.Admin.CreateSiteAsync(new SiteCreate(Unique.Name("msite")))).Name;
        var elsewhere = (await Server.Admin.CreateSiteAsync(new SiteCreate(Unique.Name("osite")))).Name;
        var (member, team, role) = await Accounts.TeamMemberAsync(Server);
        var (otherMember, _, otherRole) = await Accounts.TeamMemberAsync(Server);
        var robot = await Server.Admin.CreateUserAsync(new UserCreate(Unique.Name("robot"), ServiceOf: team));
        async Task<string> SiteOperatorAsync(string at) =>
            (await Server.Admin.CreateTokenAsync(new TokenCreate("op", (await Server.Admin.CreateUserAsync(new UserCreate(Unique.Name("siteop"), Grant: "operator", Sites: [at]))).Name))).Token;
        var expiring = await Server.Admin.CreateTokenAsync(new TokenCreate("soon", member.Name, ExpiresAt: DateTimeOffset.UtcNow.AddSeconds(1)));
        var callers = new Dictionary<string, string>
        {
            ["admin"] = Server.AdminToken,
            ["operator"] = (await Accounts.WithGrantAsync(Server, "operator")).Token,
            ["operator of this site"] = await SiteOperatorAsync(site),
            ["operator of another site"] = await SiteOperatorAsync(elsewhere),
            ["viewer"] = (await Accounts.WithGrantAsync(Server, "viewer")).Token,
            ["member"] = member.Token,
            ["member of another team"] = otherMember.Token,
            ["service account"] = (await Server.Admin.CreateTokenAsync(new TokenCreate("robot", robot.Name))).Token,
            ["read-only token"] = (await Server.Admin.CreateTokenAsync(new TokenCreate("ro", "admin", Scope: ["read"]))).Token,
            ["power_cycle token"] = (await Server.Admin.CreateTokenAsync(new TokenCreate("pc", member.Name, Scope: [JobActions.PowerCycle]))).Token,
            ["expired token"] = expiring.Token,
            ["no token"] = "",
        };
        while (DateTimeOffset.UtcNow <= expiring.ExpiresAt) await Task.Delay(100);
        return new(callers, site, role, otherRole);
    }

    /// <summary>Refused means 401 or 403; anything else (200, 404 for a made-up id, 422 for an empty body) is let through.</summary>
    private static bool Allowed(Permissions.Access who, string caller, bool read) => who switch
    {
        Permissions.Access.Anonymous => true,
        _ when caller is "no token" or "expired token" => false,
        // A read-only token writes nothing, whoever's it is; an action-scoped one writes only its submissions.
        _ when caller is "read-only token" => read && Allowed(who, "admin", read),
        _ when caller is "power_cycle token" => read && Allowed(who, "member", read),
        // Team rows check the role the body names: an empty body is a 422 for everyone signed in.
        Permissions.Access.Read or Permissions.Access.Self or Permissions.Access.Team => true,
        Permissions.Access.Operator => caller is "admin" or "operator",
        Permissions.Access.Admin or Permissions.Access.AdminOrTeam => caller == "admin",
        _ => throw new ArgumentOutOfRangeException(nameof(who), who, "owner rows are run on real machines"),
    };

    [Fact]
    public async Task Every_caller_is_let_through_or_refused_as_its_row_says()
    {
        var cast = await CastAsync();
        var wrong = new List<string>();
        foreach (var row in Permissions.Endpoints.Where(r => r.Who != Permissions.Access.Owner && !r.Endpoint.StartsWith("POST /boot", StringComparison.Ordinal)))
        {
            var method = row.Endpoint[..row.Endpoint.IndexOf(' ')];
            // Made-up names and ids: a refusal comes before the lookup, and a 404 for an allowed caller is fine.
            var path = row.Endpoint[(method.Length + 2)..].Replace("{documentName}", "v1").Replace("{id}", "999999").Replace("{name}", "no-such").Replace("{user}", "no-such");
            foreach (var (caller, token) in cast.Callers)
            {
                using var http = Server.Http(token);
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method is "POST" or "PATCH") request.Content = JsonContent.Create(new { });
                // Headers only: a stream (GET /api/v1/events/stream) answers at once and then never ends.
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                var refused = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;
                var allowed = Allowed(row.Who, caller, method is "GET" or "HEAD");
                if (refused == allowed) wrong.Add($"{row.Endpoint} as {caller}: {(int)response.StatusCode}, expected {(allowed ? "allowed" : "refused")}");
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    /// <summary>Every action of the table, on a machine of the caller's team, of another team and of the free pool, all in
    /// one site: an allowed caller gets the admin's answer (202 or the same state refusal; a batch likewise), a refused
    /// one a 401 or 403, or a batch's 422 naming the host for its own reason.</summary>
    [Fact]
    public async Task A_machine_action_is_let_through_or_refused_by_whose_the_machine_is()
    {
        var cast = await CastAsync();
        async Task<MachineView> MachineAsync(string? role) => await Server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial(), Site: cast.Site, Role: role,
            Bmc: new BmcInput("ipmi", "127.0.9.9", 623, "admin", "password")));
        var machines = new Dictionary<string, MachineView>
        {
            ["own"] = await MachineAsync(cast.OwnRole), ["other team's"] = await MachineAsync(cast.OtherRole), ["free pool"] = await MachineAsync(null),
        };
        bool Expected(string caller, string machine, string action, Permissions.Who who) => caller switch
        {
            "admin" or "operator" or "operator of this site" => true,
            "member" or "service account" => machine == "own" && who == Permissions.Who.Team,
            "power_cycle token" => machine == "own" && who == Permissions.Who.Team && action == JobActions.PowerCycle,
            "member of another team" => machine == "other team's" && who == Permissions.Who.Team,
            _ => false,
        };
        async Task<(int Single, int Batch, string? Reason)> SubmitAsync(string token, string action, MachineView machine)
        {
            using var http = Server.Http(token);
            // Params an action needs (an image that is not there: the admin's answer is then a 422 naming it).
            var @params = action switch
            {
                JobActions.SetBootDevice => new Dictionary<string, string> { ["device"] = "pxe" },
                JobActions.Install or JobActions.Reimage => new() { ["image"] = "no-such-image" },
                _ => [],
            };
            using var single = await http.PostAsJsonAsync($"api/v1/machines/{machine.HardwareName}/jobs", new { action, @params, force = true });
            using var batch = await http.PostAsJsonAsync("api/v1/batches", new { action, @params, hosts = new[] { machine.HardwareName }, force = true });
            // A 422 names the host and its reason, or (an action a batch does not take) says so in its detail.
            var problem = batch.StatusCode == HttpStatusCode.UnprocessableEntity ? await batch.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>() : default;
            var reason = problem.ValueKind != System.Text.Json.JsonValueKind.Object ? null
                : problem.TryGetProperty("hosts", out var hosts) ? hosts[0].GetProperty("reason").GetString() : problem.GetProperty("detail").GetString();
            foreach (var job in (await Server.Admin.ListJobsAsync(new JobQuery(Machine: machine.HardwareName, Status: "queued"))).Items)
                await Server.Admin.CancelJobAsync(job.Id);
            return ((int)single.StatusCode, (int)batch.StatusCode, reason);
        }
        var wrong = new List<string>();
        foreach (var (action, who, _) in Permissions.MachineActions)
            foreach (var (kind, machine) in machines)
            {
                var admin = await SubmitAsync(Server.AdminToken, action, machine);
                foreach (var (caller, token) in cast.Callers.Where(c => c.Key != "admin"))
                {
                    var got = await SubmitAsync(token, action, machine);
                    // A token refused is refused before the body is read; an action batches do not take is then a 422 of the
                    // body for everyone, before any host is looked at.
                    var batchRefused = got.Batch is 401 or 403 || (!Ingot.Server.Batches.BatchSubmission.Actions.Contains(action)
                        ? got.Batch == admin.Batch && got.Reason == admin.Reason
                        : got.Batch == 422 && got.Reason != admin.Reason);
                    var ok = Expected(caller, kind, action, who) ? got == admin : got.Single is 401 or 403 && batchRefused;
                    if (!ok) wrong.Add($"{action} on the {kind} machine as {caller}: {got}, admin got {admin}");
                }
            }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }
}
