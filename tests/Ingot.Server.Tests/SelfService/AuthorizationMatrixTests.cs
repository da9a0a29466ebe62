using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ingot.Server.Tests.SelfService;

/// <summary>Issue 12's matrix: every endpoint the server maps has a row saying who may call it, and every kind of caller
/// gets what its row says. A new endpoint without a row fails <see cref="Every_mapped_endpoint_has_a_row_and_every_row_an_endpoint"/>.
/// Machine actions, whose answer depends on whose the machine is, are run on machines of each kind of owner.</summary>
public sealed partial class AuthorizationMatrixTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    /// <summary>Who may call an endpoint. Read: any signed-in user. Self: any signed-in user, on their own things (their
    /// tokens; their jobs and batches, their team's). Owner: by the machine's owner (docs/authorization.md's table).</summary>
    public enum Who { Anonymous, Read, Self, Owner, Operator, Admin }

    private static readonly Dictionary<string, Who> Rows = new()
    {
        ["GET /healthz"] = Who.Anonymous, ["GET /readyz"] = Who.Anonymous, ["GET /openapi/{documentName}.json"] = Who.Read,
        ["GET /boot/boot.ipxe"] = Who.Anonymous, ["GET /boot/ipxe"] = Who.Anonymous, ["POST /boot/events"] = Who.Anonymous,
        ["POST /boot/discovery"] = Who.Anonymous, ["POST /api/v1/discovery"] = Who.Read, // 410 Gone for everyone signed in

        ["GET /api/v1/sites"] = Who.Read, ["GET /api/v1/sites/{name}"] = Who.Read,
        ["POST /api/v1/sites"] = Who.Operator, ["PATCH /api/v1/sites/{name}"] = Who.Operator, ["DELETE /api/v1/sites/{name}"] = Who.Operator,
        ["GET /api/v1/racks"] = Who.Read, ["GET /api/v1/racks/{id}"] = Who.Read,
        ["POST /api/v1/racks"] = Who.Operator, ["DELETE /api/v1/racks/{id}"] = Who.Operator,
        ["GET /api/v1/skus"] = Who.Read, ["GET /api/v1/skus/{name}"] = Who.Read,
        ["POST /api/v1/skus"] = Who.Operator, ["PATCH /api/v1/skus/{name}"] = Who.Operator, ["DELETE /api/v1/skus/{name}"] = Who.Operator,
        ["GET /api/v1/roles"] = Who.Read, ["GET /api/v1/roles/{name}"] = Who.Read,
        ["POST /api/v1/roles"] = Who.Operator, ["PATCH /api/v1/roles/{name}"] = Who.Operator, ["DELETE /api/v1/roles/{name}"] = Who.Operator,
        ["GET /api/v1/images"] = Who.Read, ["GET /api/v1/images/{name}"] = Who.Read,
        ["POST /api/v1/images"] = Who.Operator, ["DELETE /api/v1/images/{name}"] = Who.Operator,
        ["GET /api/v1/machines"] = Who.Read, ["GET /api/v1/machines/{id}"] = Who.Read, ["GET /api/v1/machines/{id}/history"] = Who.Read,
        ["POST /api/v1/machines"] = Who.Operator, ["PATCH /api/v1/machines/{id}"] = Who.Operator, ["DELETE /api/v1/machines/{id}"] = Who.Operator,
        ["POST /api/v1/machines/{id}/transitions"] = Who.Operator, ["POST /api/v1/machines/{id}/maintenance"] = Who.Operator,
        ["POST /api/v1/machines/import"] = Who.Operator,
        ["POST /api/v1/machines/{id}/jobs"] = Who.Owner,
        ["GET /api/v1/jobs"] = Who.Read, ["GET /api/v1/jobs/broker"] = Who.Read, ["GET /api/v1/jobs/{id}"] = Who.Read,
        ["POST /api/v1/jobs/{id}/cancel"] = Who.Self,
        ["GET /api/v1/batches"] = Who.Read, ["GET /api/v1/batches/stats"] = Who.Read, ["GET /api/v1/batches/{id}"] = Who.Read,
        ["GET /api/v1/batches/{id}/hosts"] = Who.Read, ["GET /api/v1/activity"] = Who.Read,
        ["POST /api/v1/batches"] = Who.Owner, ["POST /api/v1/batches/{id}/cancel"] = Who.Self,
        ["GET /api/v1/whoami"] = Who.Read,
        ["GET /api/v1/teams"] = Who.Read, ["GET /api/v1/teams/{name}"] = Who.Read,
        ["POST /api/v1/teams"] = Who.Admin, ["DELETE /api/v1/teams/{name}"] = Who.Admin,
        ["POST /api/v1/teams/{name}/members"] = Who.Admin, ["DELETE /api/v1/teams/{name}/members/{user}"] = Who.Admin,
        ["GET /api/v1/users"] = Who.Read, ["GET /api/v1/users/{name}"] = Who.Read, ["POST /api/v1/users"] = Who.Admin,
        ["GET /api/v1/tokens"] = Who.Self, ["POST /api/v1/tokens"] = Who.Self, ["DELETE /api/v1/tokens/{id}"] = Who.Self,
        ["GET /api/v1/audit"] = Who.Admin,
    };

    [GeneratedRegex(":[^}]+}")]
    private static partial Regex Constraint();

    private IEnumerable<string> Mapped() =>
        Server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["ANY"])
                .Select(m => $"{m} /{Constraint().Replace(e.RoutePattern.RawText!.Trim('/'), "}")}"))
            .Distinct();

    [Fact]
    public void Every_mapped_endpoint_has_a_row_and_every_row_an_endpoint()
    {
        var mapped = Mapped().ToHashSet();
        Assert.Empty(mapped.Except(Rows.Keys).Order());
        Assert.Empty(Rows.Keys.Except(mapped).Order());
    }

    /// <summary>The callers of the matrix, each a token (empty: none).</summary>
    private async Task<Dictionary<string, string>> CallersAsync()
    {
        var (member, _, _) = await Accounts.TeamMemberAsync(Server);
        return new()
        {
            ["admin"] = Server.AdminToken,
            ["operator"] = (await Accounts.WithGrantAsync(Server, "operator")).Token,
            ["viewer"] = (await Accounts.WithGrantAsync(Server, "viewer")).Token,
            ["member"] = member.Token,
            ["read-only token"] = (await Server.Admin.CreateTokenAsync(new TokenCreate("ro", "admin", Scope: ["read"]))).Token,
            ["no token"] = "",
        };
    }

    /// <summary>Refused means 401 or 403; anything else (200, 404 for a made-up id, 422 for an empty body) is let through.</summary>
    private static bool Allowed(Who who, string caller, bool read) => who switch
    {
        Who.Anonymous => true,
        _ when caller == "no token" => false,
        // A read-only token reads and writes nothing, whoever's it is.
        _ when caller == "read-only token" => read,
        Who.Read or Who.Self => true,
        Who.Operator => caller is "admin" or "operator",
        Who.Admin => caller == "admin",
        _ => throw new ArgumentOutOfRangeException(nameof(who), who, "owner rows are run on real machines"),
    };

    [Fact]
    public async Task Every_caller_is_let_through_or_refused_as_its_row_says()
    {
        var callers = await CallersAsync();
        var wrong = new List<string>();
        foreach (var (route, who) in Rows.Where(r => r.Value != Who.Owner && !r.Key.StartsWith("POST /boot", StringComparison.Ordinal)))
        {
            var method = route[..route.IndexOf(' ')];
            // Made-up names and ids: a refusal comes before the lookup, and a 404 for an allowed caller is fine.
            var path = route[(method.Length + 2)..].Replace("{documentName}", "v1").Replace("{id}", "999999").Replace("{name}", "no-such").Replace("{user}", "no-such");
            foreach (var (caller, token) in callers)
            {
                using var http = Server.Http(token);
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method is "POST" or "PATCH") request.Content = JsonContent.Create(new { });
                using var response = await http.SendAsync(request);
                var refused = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;
                var allowed = Allowed(who, caller, method is "GET" or "HEAD");
                if (refused == allowed) wrong.Add($"{route} as {caller}: {(int)response.StatusCode}, expected {(allowed ? "allowed" : "refused")}");
            }
        }
        Assert.Empty(wrong);
    }

    [Fact]
    public async Task A_machine_action_is_let_through_or_refused_by_whose_the_machine_is()
    {
        var (member, _, role) = await Accounts.TeamMemberAsync(Server);
        var (_, _, otherRole) = await Accounts.TeamMemberAsync(Server);
        var callers = await CallersAsync();
        callers["member"] = member.Token;
        // A service account of the member's team acts with the team's rights; a member's token scoped to power_cycle may
        // do that and nothing else.
        var robot = await Server.Admin.CreateUserAsync(new UserCreate(Unique.Name("robot"), ServiceOf: (await member.Client.WhoAmIAsync()).Teams[0]));
        callers["service account"] = (await Server.Admin.CreateTokenAsync(new TokenCreate("robot", robot.Name))).Token;
        callers["power_cycle token"] = (await Server.Admin.CreateTokenAsync(new TokenCreate("pc", member.Name, Scope: [JobActions.PowerCycle]))).Token;
        async Task<MachineView> MachineAsync(string? machineRole) => await Server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial(), Role: machineRole,
            Bmc: new BmcInput("ipmi", "127.0.9.9", 623, "admin", "password")));
        var machines = new Dictionary<string, MachineView>
        {
            ["own"] = await MachineAsync(role), ["other team's"] = await MachineAsync(otherRole), ["free pool"] = await MachineAsync(null),
        };
        // Expected: (caller, machine) → allowed for power_cycle (a team action) and decommission (an operator's).
        bool Expected(string caller, string machine, string action) => caller switch
        {
            "admin" or "operator" => true,
            "member" or "service account" or "power_cycle token" => machine == "own" && action == JobActions.PowerCycle,
            _ => false,
        };
        var wrong = new List<string>();
        foreach (var action in new[] { JobActions.PowerCycle, JobActions.Decommission })
            foreach (var (kind, machine) in machines)
                foreach (var (caller, token) in callers)
                {
                    using var http = Server.Http(token);
                    using var single = await http.PostAsJsonAsync($"api/v1/machines/{machine.HardwareName}/jobs", new { action, force = true });
                    using var batch = await http.PostAsJsonAsync("api/v1/batches", new { action, hosts = new[] { machine.HardwareName }, force = true });
                    var expected = Expected(caller, kind, action);
                    // A single job refused by ownership is 403; a batch's host is a 422 naming the reason; no token is 401.
                    if ((single.StatusCode == HttpStatusCode.Accepted) != expected) wrong.Add($"{action} on the {kind} machine as {caller}: {(int)single.StatusCode}");
                    if ((batch.StatusCode == HttpStatusCode.Created) != expected) wrong.Add($"batch {action} on the {kind} machine as {caller}: {(int)batch.StatusCode}");
                    foreach (var job in (await Server.Admin.ListJobsAsync(new JobQuery(Machine: machine.HardwareName, Status: "queued"))).Items)
                        await Server.Admin.CancelJobAsync(job.Id);
                }
        Assert.Empty(wrong);
    }
}
