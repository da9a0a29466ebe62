using Ingot.Server.Api;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.SelfService;

/// <summary>docs/authorization.md shows the tables the server enforces (Api/Permissions): the same rows, in the same
/// order; every job action has one (every endpoint having one is AuthorizationMatrixTests').</summary>
public sealed class AuthorizationTableTests
{
    private static List<string> Documented(string table)
    {
        var doc = File.ReadAllText(Path.Combine(Repository.Root, "docs", "authorization.md"));
        var start = doc.IndexOf($"<!-- {table}:begin -->", StringComparison.Ordinal);
        var end = doc.IndexOf($"<!-- {table}:end -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"docs/authorization.md lost its {table} markers");
        return doc[start..end].Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)).Select(l => l.Trim()).ToList();
    }

    [Fact]
    public void The_documented_endpoint_table_is_the_enforced_one()
    {
        static string Who(Permissions.Access a) => a == Permissions.Access.AdminOrTeam ? "admin or team" : a.ToString().ToLowerInvariant();
        Assert.Equal(Permissions.Endpoints.Select(r => $"| `{r.Endpoint}` | {Who(r.Who)} | {r.What} |"), Documented("endpoints"));
    }

    [Fact]
    public void The_documented_machine_action_table_is_the_enforced_one_and_covers_every_job_action()
    {
        var documented = Documented("machine-actions");

        var enforced = Permissions.MachineActions
            .Select(a => $"| `{a.Action}` | {(a.Who == Permissions.Who.Team ? "team" : "operator")} | {a.Why} |").ToList();
        Assert.Equal(enforced, documented);
        Assert.Equal(Ingot.Server.Jobs.JobPlans.Actions.Order(), Permissions.MachineActions.Select(a => a.Action).Order());
    }
}
