using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Teams;

public sealed class TeamCommandsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Teams_are_created_listed_and_deleted()
    {
        using var cli = CliRunner.For(Server);
        var name = Unique.Name("team");
        var created = (await cli.OkAsync("teams", "create", name, "-o", "json")).Json<TeamView>();
        Assert.Equal(name, created.Name);

        Assert.Equal(created.Id.ToString(), Lines.Row((await cli.OkAsync("teams", "list")).Out, name, column: 1)[0]);

        await cli.OkAsync("teams", "delete", name);
        Assert.DoesNotContain(name, (await cli.OkAsync("teams", "list")).Out);
    }

    [Fact]
    public async Task A_duplicate_team_is_409()
    {
        using var cli = CliRunner.For(Server);
        var name = Unique.Name("team");
        await cli.OkAsync("teams", "create", name);
        Assert.Contains("(409)", (await cli.FailsAsync(1, "teams", "create", name)).Error);
    }
}
