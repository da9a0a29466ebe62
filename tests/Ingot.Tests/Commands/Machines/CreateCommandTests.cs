using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Machines;

public sealed class CreateCommandTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Create_sends_every_field_and_shows_the_machine_without_its_bmc_password()
    {
        var inv = await Inventory.CreateAsync(Server);
        using var cli = CliRunner.For(Server);
        var serial = Unique.Serial();
        var (mac1, mac2) = (Unique.Mac(), Unique.Mac());
        const string password = "s3cret-bmc-pass";
        var result = await cli.OkAsync("machines", "create", "--serial", serial, "--vendor", "Dell", "--model", "R650",
            "--site", inv.Site, "--rack", inv.Rack, "--unit", "12", "--sku", inv.Sku,
            "--nic", $"{mac1},eth0,10.0.0.5", "--nic", mac2,
            "--bmc-driver", "ipmi", "--bmc-address", "10.1.0.5", "--bmc-port", "6230", "--bmc-user", "root",
            "--bmc-password-file", cli.File("bmc-password", password + "\n"), "--tag", "gpu", "--tag", "canary");

        Assert.DoesNotContain(password, result.Out);
        Assert.Contains($"serial:         {serial}", result.Out);
        Assert.Contains($"rack/unit:      {inv.Rack}/12", result.Out);
        Assert.Contains("bmc:            ipmi 10.1.0.5:6230, user root, password set", result.Out);
        var tags = Lines.Of(result.Out).Single(l => l.StartsWith("tags:"));
        Assert.Contains("gpu", tags);
        Assert.Contains("canary", tags);
        Assert.Equal(["eth0", "10.0.0.5"], Lines.Row(result.Out, mac1)[1..]);
        Assert.Equal(["-", "-"], Lines.Row(result.Out, mac2)[1..]);

        var machine = (await Inventory.BySerialAsync(Server, serial))!;
        Assert.Equal(("Dell", "R650", inv.Site, 12, inv.Sku), (machine.Vendor, machine.Model, machine.Site, machine.Unit, machine.Sku));
        Assert.True(machine.Bmc!.HasPassword);
    }

    [Fact]
    public async Task The_bmc_password_can_come_from_stdin_and_json_output_parses_back()
    {
        using var cli = CliRunner.For(Server);
        cli.Stdin = "from-stdin\n";
        var machine = (await cli.OkAsync("machines", "create", "--serial", Unique.Serial(), "--bmc-driver", "redfish",
            "--bmc-address", "10.1.0.6", "--bmc-user", "admin", "--bmc-password-file", "-", "-o", "json")).Json<MachineView>();
        Assert.Equal(MachineState.New, machine.State);
        Assert.True(machine.Bmc!.HasPassword);
    }

    [Fact]
    public async Task There_is_no_flag_that_takes_the_bmc_password_itself()
    {
        using var cli = CliRunner.For(Server);
        var result = await cli.RunAsync("machines", "create", "--serial", Unique.Serial(), "--bmc-password", "oops");
        Assert.NotEqual(0, result.ExitCode);
        Assert.DoesNotContain("--bmc-password ", (await cli.OkAsync("machines", "create", "--help")).Out);
    }

    [Fact]
    public async Task A_duplicate_serial_is_the_servers_409()
    {
        using var cli = CliRunner.For(Server);
        var serial = Unique.Serial();
        await cli.OkAsync("machines", "create", "--serial", serial);
        var result = await cli.FailsAsync(1, "machines", "create", "--serial", serial);
        Assert.StartsWith("error: Conflict (409):", result.Error);
    }

    [Fact]
    public async Task Invalid_fields_are_the_servers_422_each_on_its_own_line()
    {
        using var cli = CliRunner.For(Server);
        var result = await cli.FailsAsync(1, "machines", "create", "--serial", Unique.Serial(), "--unit", "0", "--nic", "not-a-mac", "--site", Unique.Name("nowhere"));
        Assert.StartsWith("error: Invalid request (422):", result.Error);
        Assert.True(Lines.Of(result.Error).Length >= 3, result.Error);
        Assert.Contains(Lines.Of(result.Error), l => l.StartsWith("  unit: "));
    }

    [Fact]
    public async Task A_malformed_nic_is_a_usage_error_before_anything_is_sent()
    {
        using var cli = CliRunner.For(Server);
        var result = await cli.FailsAsync(2, "machines", "create", "--serial", Unique.Serial(), "--nic", "aa,b,c,d");
        Assert.Contains("--nic 'aa,b,c,d' is not MAC[,name[,ip]]", result.Error);
    }

    [Fact]
    public async Task A_missing_password_file_is_a_usage_error()
    {
        using var cli = CliRunner.For(Server);
        var result = await cli.FailsAsync(2, "machines", "create", "--serial", Unique.Serial(), "--bmc-password-file", "/nonexistent/pw");
        Assert.Contains("Cannot read the BMC password from /nonexistent/pw", result.Error);
    }
}
