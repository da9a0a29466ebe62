using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Reclaim;

/// <summary>`ingot cost` and `ingot cost waste` against a real server: a team's hours and cost as a table and as JSON.</summary>
public sealed class CostCommandTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Cost_shows_a_teams_hours_and_cost_and_waste_lists_its_idle_machines()
    {
        var team = (await Server.Admin.CreateTeamAsync(new TeamCreate(Unique.Name("team")))).Name;
        var role = (await Server.Admin.CreateRoleAsync(new RoleCreate(Unique.Name("db"), team))).Name;
        var sku = (await Server.Admin.CreateSkuAsync(new SkuCreate(Unique.Name("sku"), 8, 32, 1, 100, 1, HourlyPrice: 3600m))).Name;
        var m = await Server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial(), Sku: sku, Bmc: new BmcInput("ipmi", "127.0.9.9", 623, "admin", "password")));
        await Server.Admin.TransitionAsync(m.HardwareName, "commission");
        await Server.Admin.UpdateMachineAsync(m.HardwareName, new MachineUpdate(Role: role, Hostname: Unique.Name("h") + ".example"));
        await Server.Admin.TransitionAsync(m.HardwareName, "allocate");
        await Task.Delay(1100); // a second held: 1 × 3600/h ≈ 1.00 and more
        using var cli = CliRunner.For(Server);

        var json = (await cli.OkAsync("cost", "--team", team, "--since", "1h", "-o", "json")).Json<CostReport>();
        var line = Assert.Single(json.Lines);
        Assert.Equal((team, role, sku, 3600m), (line.Team, line.Role, line.Sku, line.HourlyPrice));
        Assert.InRange(line.Cost, 1m, 60m);
        var table = await cli.OkAsync("cost", "--team", team);
        Assert.Contains("COST (USD)", table.Out);
        Assert.Contains(team, table.Out);
        Assert.Contains("3600", table.Out);

        var waste = await cli.OkAsync("cost", "waste", "--team", team);
        Assert.Contains("0 idle machine(s) (no job for 14 days", waste.Out);
        Assert.Contains("no team is named", (await cli.FailsAsync(1, "cost", "--team", "no-such-team")).Error);
    }
}
