using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Machines;

public sealed class ImportCommandTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string Header =
        "serial,vendor,model,site,rack,unit,sku,hostname,role,macs,bmc_driver,bmc_address,bmc_port,bmc_username,bmc_password,tags";

    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Good_rows_are_kept_and_each_bad_line_is_reported_with_exit_1()
    {
        var inv = await Inventory.CreateAsync(Server);
        var (good1, bad, good2) = (Unique.Serial(), Unique.Serial(), Unique.Serial());
        var csv = string.Join('\n',
            Header,
            Row(inv, good1, unit: 1),
            Row(inv, bad, unit: 2, site: Unique.Name("nowhere")),
            Row(inv, good2, unit: 3),
            "");
        using var cli = CliRunner.For(Server);

        var result = await cli.RunAsync("machines", "import", cli.File("machines.csv", csv));
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal("2 accepted, 1 rejected.", result.Out.Trim());
        var line = Assert.Single(Lines.Of(result.Error));
        Assert.StartsWith("line 3: ", line);

        Assert.Equal(inv.Site, (await Inventory.BySerialAsync(Server, good1))?.Site);
        Assert.Equal(inv.Site, (await Inventory.BySerialAsync(Server, good2))?.Site);
        Assert.Null(await Inventory.BySerialAsync(Server, bad));
    }

    [Fact]
    public async Task Dry_run_reports_without_saving_and_exits_0_when_every_row_is_good()
    {
        var inv = await Inventory.CreateAsync(Server);
        var serial = Unique.Serial();
        using var cli = CliRunner.For(Server);

        var result = await cli.OkAsync("machines", "import", cli.File("one.csv", Header + "\n" + Row(inv, serial, unit: 4) + "\n"), "--dry-run");
        Assert.Equal("1 would be accepted, 0 rejected (dry run: nothing was saved).", result.Out.Trim());
        Assert.Equal("", result.Error);
        Assert.Null(await Inventory.BySerialAsync(Server, serial));
    }

    [Fact]
    public async Task The_csv_can_come_from_stdin_and_json_output_parses_back()
    {
        var inv = await Inventory.CreateAsync(Server);
        var serial = Unique.Serial();
        using var cli = CliRunner.For(Server);
        cli.Stdin = Header + "\r\n" + Row(inv, serial, unit: 5) + "\r\n";

        var result = (await cli.OkAsync("machines", "import", "-", "-o", "json")).Json<ImportResult>();
        Assert.Equal((false, 1, 0), (result.DryRun, result.Accepted, result.Rejected));
        var machine = (await Inventory.BySerialAsync(Server, serial))!;
        Assert.Equal([machine.HardwareName], result.HardwareNames);
        Assert.True(machine.Bmc!.HasPassword);
        Assert.Equal(2, machine.Nics.Count);
    }

    [Fact]
    public async Task A_file_that_cannot_be_read_is_a_usage_error()
    {
        using var cli = CliRunner.For(Server);
        var result = await cli.FailsAsync(2, "machines", "import", "/nonexistent/machines.csv");
        Assert.Contains("Cannot read the CSV from /nonexistent/machines.csv", result.Error);
    }

    private static string Row(Inventory inv, string serial, int unit, string? site = null) =>
        $"{serial},Dell,R650,{site ?? inv.Site},{inv.Rack},{unit},{inv.Sku},,,{Unique.Mac()};{Unique.Mac()},ipmi,10.9.0.{unit},623,root,pw{unit},";
}
