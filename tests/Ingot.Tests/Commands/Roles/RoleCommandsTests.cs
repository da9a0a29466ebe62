using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Roles;

public sealed class RoleCommandsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task A_role_is_created_for_a_team_and_listed_with_it()
    {
        using var cli = CliRunner.For(Server);
        var team = Unique.Name("storage");
        var role = Unique.Name("fancydb");
        await cli.OkAsync("teams", "create", team);
        await cli.OkAsync("roles", "create", role, "--team", team, "--description", "the fancy database");

        var row = Lines.Row((await cli.OkAsync("roles", "list")).Out, role, column: 1);
        Assert.Equal(team, row[2]);

        var roles = (await cli.OkAsync("roles", "list", "-o", "json")).Json<List<RoleView>>();
        Assert.Contains(roles, r => r.Name == role && r.Team == team && r.Description == "the fancy database");

        await cli.OkAsync("roles", "delete", role);
        Assert.DoesNotContain(role, (await cli.OkAsync("roles", "list")).Out);
    }

    [Fact]
    public async Task A_role_or_site_is_created_with_an_in_use_hook_that_the_listings_show()
    {
        using var cli = CliRunner.For(Server);
        var team = Unique.Name("storage");
        var role = Unique.Name("fancydb");
        var site = Unique.Name("lon");
        await cli.OkAsync("teams", "create", team);
        await cli.OkAsync("roles", "create", role, "--team", team, "--in-use-hook", "https://cmdb.example/in-use", "--in-use-hook-fail-open");
        await cli.OkAsync("sites", "create", site, "--in-use-hook", "http://sched.example/busy");

        Assert.Equal(["https://cmdb.example/in-use", "(fails", "open)"], Lines.Row((await cli.OkAsync("roles", "list")).Out, role, column: 1)[^3..]);
        Assert.Equal("http://sched.example/busy", Lines.Row((await cli.OkAsync("sites", "list")).Out, site, column: 1)[^1]);
        var json = (await cli.OkAsync("roles", "list", "-o", "json")).Json<List<RoleView>>().Single(r => r.Name == role);
        Assert.Equal(("https://cmdb.example/in-use", true), (json.InUseHook, json.InUseHookFailOpen));
        var bad = await cli.FailsAsync(1, "sites", "create", Unique.Name("lon"), "--in-use-hook", "cmdb");
        Assert.Contains("in_use_hook", bad.Error);
    }

    [Fact]
    public async Task Update_changes_a_roles_team_and_hook_and_a_sites_hook_and_keeps_what_it_is_not_given()
    {
        using var cli = CliRunner.For(Server);
        var (web, storage, role, site) = (Unique.Name("web"), Unique.Name("storage"), Unique.Name("fancydb"), Unique.Name("lon"));
        await cli.OkAsync("teams", "create", web);
        await cli.OkAsync("teams", "create", storage);
        await cli.OkAsync("roles", "create", role, "--team", web, "--description", "the fancy database", "--in-use-hook", "https://cmdb.example/a", "--in-use-hook-fail-open");
        await cli.OkAsync("sites", "create", site, "--description", "London", "--in-use-hook", "http://sched.example/busy");

        await cli.OkAsync("roles", "update", role, "--team", storage, "--in-use-hook", "https://cmdb.example/b", "--in-use-hook-fail-open", "false", "--lease-hours", "72");
        var changed = (await Server.Admin.ListRolesAsync()).Single(r => r.Name == role);
        Assert.Equal((storage, "the fancy database", "https://cmdb.example/b", false, (int?)72),
            (changed.Team, changed.Description, changed.InUseHook, changed.InUseHookFailOpen, changed.LeaseHours));
        Assert.Contains("72h", Lines.Row((await cli.OkAsync("roles", "list")).Out, role, column: 1));

        await cli.OkAsync("sites", "update", site, "--in-use-hook", "");
        var cleared = await Server.Admin.GetSiteAsync(site);
        Assert.Equal(("London", (string?)null), (cleared.Description, cleared.InUseHook));
        var bad = await cli.FailsAsync(1, "roles", "update", role, "--in-use-hook", "ftp://cmdb");
        Assert.Contains("in_use_hook", bad.Error);
        Assert.Contains("no-such-role", (await cli.FailsAsync(1, "roles", "update", "no-such-role", "--description", "x")).Error);
    }

    [Fact]
    public async Task A_role_for_an_unknown_team_is_refused_naming_the_team()
    {
        using var cli = CliRunner.For(Server);
        var team = Unique.Name("ghosts");
        var result = await cli.FailsAsync(1, "roles", "create", Unique.Name("role"), "--team", team);
        Assert.Contains(team, result.Error);
    }
}
