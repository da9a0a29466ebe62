using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Sites;

public sealed class SiteCommandsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Created_sites_appear_in_the_table_listing()
    {
        using var cli = CliRunner.For(Server);
        var name = Unique.Name("site");
        var created = await cli.OkAsync("sites", "create", name, "--description", "London [east]");
        Assert.Equal(["ID", "NAME", "DESCRIPTION", "CREATED", "HOOK"], Lines.Cells(Lines.Of(created.Out)[0]));
        Assert.Contains(name, created.Out);

        var list = await cli.OkAsync("sites", "list");
        Assert.StartsWith("ID   NAME", list.Out);
        var row = Lines.Of(list.Out).Single(l => l.Contains(name));
        Assert.Contains("London [east]", row); // markup-like text is printed as itself
        Assert.Equal("", list.Error);
    }

    [Fact]
    public async Task Json_output_parses_back_into_the_records()
    {
        using var cli = CliRunner.For(Server);
        var name = Unique.Name("site");
        var created = (await cli.OkAsync("sites", "create", name, "-o", "json")).Json<SiteView>();
        Assert.Equal(name, created.Name);

        var sites = (await cli.OkAsync("sites", "list", "--output", "json")).Json<List<SiteView>>();
        Assert.Contains(sites, s => s.Id == created.Id && s.Name == name);
    }

    [Fact]
    public async Task A_duplicate_is_the_servers_409_on_stderr_with_exit_1()
    {
        using var cli = CliRunner.For(Server);
        var name = Unique.Name("site");
        await cli.OkAsync("sites", "create", name);
        var result = await cli.FailsAsync(1, "sites", "create", name);
        Assert.Equal($"error: Conflict (409): Site '{name}' already exists.", result.Error.Trim());
    }

    [Fact]
    public async Task An_invalid_name_is_the_servers_422_naming_the_field()
    {
        using var cli = CliRunner.For(Server);
        var result = await cli.FailsAsync(1, "sites", "create", "Not A Slug");
        Assert.StartsWith("error: Invalid request (422): name: 'not a slug' is not a valid site name", result.Error);
    }

    [Fact]
    public async Task Delete_removes_the_site_and_a_second_delete_is_404()
    {
        using var cli = CliRunner.For(Server);
        var name = Unique.Name("site");
        await cli.OkAsync("sites", "create", name);
        Assert.Equal($"Deleted site {name}.", (await cli.OkAsync("sites", "delete", name)).Out.Trim());
        Assert.DoesNotContain(name, (await cli.OkAsync("sites", "list")).Out);
        var again = await cli.FailsAsync(1, "sites", "delete", name);
        Assert.Contains($"error: Not found (404): No site '{name}' exists.", again.Error);
    }
}
