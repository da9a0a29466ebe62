using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Racks;

public sealed class RackCommandsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Racks_are_created_in_a_site_and_listed_by_site()
    {
        using var cli = CliRunner.For(Server);
        var site = Unique.Name("site");
        var other = Unique.Name("site");
        await cli.OkAsync("sites", "create", site);
        await cli.OkAsync("sites", "create", other);
        await cli.OkAsync("racks", "create", "--site", site, "r01");
        await cli.OkAsync("racks", "create", "--site", other, "r02");

        var list = await cli.OkAsync("racks", "list", "--site", site);
        var row = Lines.Row(list.Out, site, column: 1);
        Assert.Equal("r01", row[2]);
        Assert.DoesNotContain("r02", list.Out);

        var racks = (await cli.OkAsync("racks", "list", "-o", "json")).Json<List<RackView>>();
        Assert.Contains(racks, r => r.Site == other && r.Name == "r02");
    }

    [Fact]
    public async Task A_rack_in_an_unknown_site_is_refused_with_the_servers_reason()
    {
        using var cli = CliRunner.For(Server);
        var result = await cli.FailsAsync(1, "racks", "create", "--site", Unique.Name("nowhere"), "r01");
        Assert.Matches(@"^error: .* \((404|422)\): .*site", result.Error);
    }

    [Fact]
    public async Task Delete_takes_the_rack_id()
    {
        using var cli = CliRunner.For(Server);
        var site = Unique.Name("site");
        await cli.OkAsync("sites", "create", site);
        var rack = (await cli.OkAsync("racks", "create", "--site", site, "r09", "-o", "json")).Json<RackView>();
        Assert.Equal($"Deleted rack {rack.Id}.", (await cli.OkAsync("racks", "delete", rack.Id.ToString())).Out.Trim());
        Assert.DoesNotContain("r09", (await cli.OkAsync("racks", "list", "--site", site)).Out);
    }

    [Fact]
    public async Task Create_without_site_is_a_parse_error_shown_with_usage()
    {
        using var cli = CliRunner.For(Server);
        var result = await cli.RunAsync("racks", "create", "r01");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--site", result.Error);
    }
}
