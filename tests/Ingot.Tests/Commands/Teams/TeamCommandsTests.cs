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
    public async Task A_member_added_lists_their_teams_machines_with_mine_and_removed_lists_none()
    {
        using var cli = CliRunner.For(Server);
        var team = Unique.Name("team");
        var user = Unique.Name("dev");
        await cli.OkAsync("teams", "create", team);
        var role = (await Server.Admin.CreateRoleAsync(new RoleCreate(Unique.Name("role"), team))).Name;
        var machine = await Server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial(), Role: role));
        await cli.OkAsync("users", "create", user);
        var token = (await Server.Admin.CreateTokenAsync(new TokenCreate("t", user))).Token;

        Assert.Matches($@"teams:\s+{team}", (await cli.OkAsync("teams", "add-member", team, user)).Out);
        var mine = await cli.OkAsync("machines", "list", "--mine", "--token", token);
        Assert.Equal(machine.Id.ToString(), Lines.Row(mine.Out, machine.HardwareName, column: 1)[0]);

        Assert.Contains($"Removed {user} from team {team}.", (await cli.OkAsync("teams", "remove-member", team, user)).Out);
        Assert.DoesNotContain(machine.HardwareName, (await cli.OkAsync("machines", "list", "--mine", "--token", token)).Out);
        var again = await cli.FailsAsync(1, "teams", "remove-member", team, user);
        Assert.Contains($"No member '{user}' in team '{team}' exists.", again.Error);
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
