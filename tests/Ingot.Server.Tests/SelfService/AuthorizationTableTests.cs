using Ingot.Server.Api;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.SelfService;

/// <summary>docs/authorization.md shows the table the server enforces (Api/Permissions): the same rows, in the same
/// order, and every job action has one.</summary>
public sealed class AuthorizationTableTests
{
    [Fact]
    public void The_documented_machine_action_table_is_the_enforced_one_and_covers_every_job_action()
    {
        var doc = File.ReadAllText(Path.Combine(Repository.Root, "docs", "authorization.md"));
        var start = doc.IndexOf("<!-- machine-actions:begin -->", StringComparison.Ordinal);
        var end = doc.IndexOf("<!-- machine-actions:end -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "docs/authorization.md lost its machine-actions markers");
        var documented = doc[start..end].Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)).Select(l => l.Trim()).ToList();

        var enforced = Permissions.MachineActions
            .Select(a => $"| `{a.Action}` | {(a.Who == Permissions.Who.Team ? "team" : "operator")} | {a.Why} |").ToList();
        Assert.Equal(enforced, documented);
        Assert.Equal(Ingot.Server.Jobs.JobPlans.Actions.Order(), Permissions.MachineActions.Select(a => a.Action).Order());
    }
}
