using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Audit;

public sealed class AuditCommandTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Changes_made_through_the_cli_appear_in_the_audit_log()
    {
        using var cli = CliRunner.For(Server);
        var site = Unique.Name("site");
        await cli.OkAsync("sites", "create", site);
        await cli.FailsAsync(1, "sites", "create", site);

        var table = await cli.OkAsync("audit", "--actor", "admin");
        Assert.Equal(["AT", "ACTOR", "ACTION", "TARGET", "STATUS", "OUTCOME", "TOKEN", "REASON"], Lines.Cells(Lines.Of(table.Out)[0]));
        Assert.Contains(Lines.Of(table.Out), l => l.Contains("POST /api/v1/sites") && l.Contains("201") && l.Contains("succeeded"));
        // A refusal says why, as its answer did (issue 12).
        Assert.Contains(Lines.Of(table.Out), l => l.Contains("POST /api/v1/sites") && l.Contains("409") && l.Contains("rejected") && l.Contains("already exists"));

        var page = (await cli.OkAsync("audit", "--limit", "1", "-o", "json")).Json<Page<AuditEntry>>();
        Assert.Single(page.Items);
        Assert.NotNull(page.Next);
    }

    [Fact]
    public async Task A_limited_page_prints_the_next_cursor_on_stderr()
    {
        using var cli = CliRunner.For(Server);
        await cli.OkAsync("sites", "create", Unique.Name("site"));
        await cli.OkAsync("sites", "create", Unique.Name("site"));
        var result = await cli.OkAsync("audit", "--limit", "1");
        Assert.Equal(2, Lines.Of(result.Out).Length); // header and one entry
        var cursor = Lines.Of(result.Error).Single().Split("--after ")[1];
        await cli.OkAsync("audit", "--limit", "1", "--after", cursor);
    }
}
