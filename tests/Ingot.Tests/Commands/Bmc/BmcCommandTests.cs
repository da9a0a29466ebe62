using System.Net;
using System.Text.Json.Nodes;
using Ingot.Bmc;
using Ingot.Simulator.Ipmi;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Bmc;

/// <summary>`ingot bmc …` against a simulated Redfish BMC: what is printed, the exit code, and the
/// simulated machine's state afterwards.</summary>
public sealed class BmcCommandTests
{
    private static CliRunner Runner(string password = "password")
    {
        var cli = new CliRunner();
        cli.Environment["INGOT_BMC_PASSWORD"] = password;
        return cli;
    }

    [Fact]
    public async Task Power_status_prints_the_state()
    {
        await using var sim = await SimulatedRedfishBmc.StartAsync(PowerState.On);
        using var cli = Runner();
        var result = await cli.OkAsync(sim.Args("bmc", "power", "status"));
        Assert.Equal("on" + Environment.NewLine, result.Out);
        Assert.Equal("", result.Error);
    }

    [Fact]
    public async Task Power_on_confirms_and_a_second_power_on_says_already_on_and_sends_nothing()
    {
        await using var sim = await SimulatedRedfishBmc.StartAsync(PowerState.Off);
        using var cli = Runner();
        Assert.Equal("powered on (confirmed)" + Environment.NewLine, (await cli.OkAsync(sim.Args("bmc", "power", "on"))).Out);
        Assert.Equal(PowerState.On, sim.Bmc.Power);
        var resets = sim.State.ResetRequests;
        Assert.Equal("already on" + Environment.NewLine, (await cli.OkAsync(sim.Args("bmc", "power", "on"))).Out);
        Assert.Equal(resets, sim.State.ResetRequests);
        Assert.Equal(1, sim.Bmc.PowerTransitions);
    }

    [Theory]
    [InlineData("off", "powered off (confirmed)", PowerState.Off, 1)]
    [InlineData("cycle", "power cycled (confirmed on)", PowerState.On, 2)]
    [InlineData("reset", "reset (confirmed on)", PowerState.On, 0)]
    public async Task Power_changes_of_a_running_machine_are_confirmed(string verb, string printed, PowerState after, long transitions)
    {
        await using var sim = await SimulatedRedfishBmc.StartAsync(PowerState.On);
        using var cli = Runner();
        var result = await cli.OkAsync(sim.Args("bmc", "power", verb));
        Assert.Equal(printed + Environment.NewLine, result.Out);
        Assert.Equal(after, sim.Bmc.Power);
        Assert.Equal(transitions, sim.Bmc.PowerTransitions);
    }

    [Fact]
    public async Task Power_on_as_json_names_the_bmc_and_the_outcome()
    {
        await using var sim = await SimulatedRedfishBmc.StartAsync(PowerState.Off);
        using var cli = Runner();
        var json = JsonNode.Parse((await cli.OkAsync([.. sim.Args("bmc", "power", "on"), "-o", "json"])).Out)!;
        Assert.Equal($"redfish://{sim.Endpoint}", (string?)json["bmc"]);
        Assert.Equal("on", (string?)json["power"]);
        Assert.Equal("confirmed", (string?)json["outcome"]);
    }

    [Fact]
    public async Task Bootdev_sets_the_simulated_machines_next_boot()
    {
        await using var sim = await SimulatedRedfishBmc.StartAsync();
        using var cli = Runner();
        var result = await cli.OkAsync(sim.Args("bmc", "bootdev", "pxe", "--persistent", "--uefi"));
        Assert.Equal("boot device: pxe (persistent, uefi)" + Environment.NewLine, result.Out);
        Assert.Equal(new BootSettings(BootDevice.Pxe, Persistent: true, Uefi: true), sim.Bmc.Boot);
        await cli.OkAsync(sim.Args("bmc", "bootdev", "disk", "--legacy"));
        Assert.Equal(new BootSettings(BootDevice.Disk), sim.Bmc.Boot);
    }

    /// <summary>Issue 11 E.2: without --uefi the override was sent as Legacy, and switched a UEFI system to Legacy.</summary>
    [Fact]
    public async Task Bootdev_over_redfish_keeps_the_systems_boot_mode_unless_told()
    {
        await using var sim = await SimulatedRedfishBmc.StartAsync();
        sim.Bmc.SetBoot(new BootSettings(BootDevice.None, Uefi: true));
        using var cli = Runner();
        var kept = await cli.OkAsync(sim.Args("bmc", "bootdev", "pxe"));
        Assert.Equal("boot device: pxe (next boot only, uefi)" + Environment.NewLine, kept.Out);
        Assert.Equal("", kept.Error);
        Assert.Equal(new BootSettings(BootDevice.Pxe, Uefi: true), sim.Bmc.Boot);

        await cli.OkAsync(sim.Args("bmc", "bootdev", "pxe", "--legacy"));
        Assert.Equal(new BootSettings(BootDevice.Pxe, Uefi: false), sim.Bmc.Boot);
        await cli.OkAsync(sim.Args("bmc", "bootdev", "disk", "--persistent"));
        Assert.Equal(new BootSettings(BootDevice.Disk, Persistent: true, Uefi: false), sim.Bmc.Boot); // legacy kept too

        var both = await cli.RunAsync(sim.Args("bmc", "bootdev", "pxe", "--uefi", "--legacy"));
        Assert.NotEqual(0, both.ExitCode);
        Assert.Contains("--uefi and --legacy exclude each other", both.Error);
        Assert.Equal(new BootSettings(BootDevice.Disk, Persistent: true, Uefi: false), sim.Bmc.Boot);
    }

    [Fact]
    public async Task Bootdev_over_ipmi_without_a_mode_says_it_asks_for_legacy()
    {
        await using var fleet = await IpmiFleet.StartAsync(new SimulatorOptions { IpmiBase = IPAddress.Parse("127.78.250.17"), IpmiPort = 0 });
        using var cli = Runner();
        var endpoint = fleet.IpmiEndpoints[0];
        string[] Args(params string[] verb) => [.. verb, "--driver", "ipmi", "--host", endpoint.Address.ToString(),
            "--port", endpoint.Port.ToString(), "--user", "admin", "--password-file", cli.File("pw", "password")];
        var unsaid = await cli.OkAsync(Args("bmc", "bootdev", "pxe"));
        Assert.Contains("note: IPMI cannot read the machine's boot mode, so this override asks for a legacy BIOS boot", unsaid.Error);
        Assert.False(fleet.Bmcs[0].Boot.Uefi);
        var said = await cli.OkAsync(Args("bmc", "bootdev", "pxe", "--uefi"));
        Assert.Equal("", said.Error);
        Assert.True(fleet.Bmcs[0].Boot.Uefi);
    }

    [Fact]
    public async Task Info_prints_manufacturer_model_and_guid()
    {
        await using var sim = await SimulatedRedfishBmc.StartAsync();
        using var cli = Runner();
        var table = (await cli.OkAsync(sim.Args("bmc", "info"))).Out;
        Assert.Contains("Manufacturer:", table);
        Assert.Contains("Simulated BMC", table);
        var json = JsonNode.Parse((await cli.OkAsync([.. sim.Args("bmc", "info"), "-o", "json"])).Out)!;
        Assert.Equal(sim.Bmc.Guid.ToString(), (string?)json["guid"]);
        Assert.Equal(sim.Bmc.Name, (string?)json["details"]!["SerialNumber"]);
    }

    [Fact]
    public async Task A_wrong_password_is_one_error_line_naming_the_bmc_and_exit_1()
    {
        await using var sim = await SimulatedRedfishBmc.StartAsync();
        using var cli = Runner(password: "wrong");
        var result = await cli.FailsAsync(1, sim.Args("bmc", "power", "on"));
        Assert.StartsWith($"error: redfish://{sim.Endpoint}: ", result.Error);
        Assert.Contains("HTTP 401", result.Error);
        Assert.Single(result.Error.TrimEnd().Split('\n'));
        Assert.Equal(PowerState.Off, sim.Bmc.Power);
    }

    [Fact]
    public async Task The_password_comes_from_a_file()
    {
        await using var sim = await SimulatedRedfishBmc.StartAsync(PowerState.On);
        using var cli = new CliRunner();
        var file = cli.File("bmc-password", "password\n");
        Assert.Equal("on" + Environment.NewLine, (await cli.OkAsync([.. sim.Args("bmc", "power", "status"), "--password-file", file])).Out);
    }

    [Fact]
    public async Task No_password_is_a_usage_error_that_says_where_to_put_it()
    {
        await using var sim = await SimulatedRedfishBmc.StartAsync();
        using var cli = new CliRunner();
        var result = await cli.FailsAsync(2, sim.Args("bmc", "power", "status"));
        Assert.Contains("--password-file", result.Error);
        Assert.Contains("INGOT_BMC_PASSWORD", result.Error);
    }

    [Fact]
    public async Task An_unreachable_bmc_is_one_error_line_and_exit_1()
    {
        await using var sim = await SimulatedRedfishBmc.StartAsync();
        sim.Bmc.Faults = new() { Unreachable = true };
        using var cli = Runner();
        var result = await cli.FailsAsync(1, sim.Args("bmc", "power", "status"));
        Assert.StartsWith($"error: redfish://{sim.Endpoint}: cannot reach the Redfish service", result.Error);
    }

    [Fact]
    public async Task A_bmc_that_ignores_power_commands_is_reported_as_not_confirmed()
    {
        await using var sim = await SimulatedRedfishBmc.StartAsync(PowerState.Off);
        sim.Bmc.Faults = new() { IgnorePowerCommands = true };
        using var cli = Runner();
        var result = await cli.FailsAsync(1, [.. sim.Args("bmc", "power", "on"), "--timeout", "1"]);
        Assert.Equal($"error: redfish://{sim.Endpoint}: acknowledged the power command but still reports off after 1 s (wanted on)",
            result.Error.TrimEnd());
    }

    [Fact]
    public async Task The_ipmi_driver_is_registered_and_drives_the_simulator()
    {
        await using var fleet = await IpmiFleet.StartAsync(new SimulatorOptions { IpmiBase = IPAddress.Parse("127.78.250.1"), IpmiPort = 0 });
        using var cli = Runner();
        var endpoint = fleet.IpmiEndpoints[0];
        var result = await cli.OkAsync("bmc", "power", "on", "--driver", "ipmi", "--host", endpoint.Address.ToString(),
            "--port", endpoint.Port.ToString(), "--user", "operator", "--privilege", "operator", "--password-file", cli.File("pw", "operpass"));
        Assert.Equal("powered on (confirmed)" + Environment.NewLine, result.Out);
        Assert.Equal(PowerState.On, fleet.Bmcs[0].Power);
    }

    /// <summary>Issue 11 E.6: without --privilege the client asked for Administrator, and a BMC that holds accounts to
    /// their rights (as real BMCs and our simulator do) refused an operator's login.</summary>
    [Fact]
    public async Task An_operator_account_controls_power_and_a_user_account_reads_it_without_a_privilege_flag()
    {
        await using var fleet = await IpmiFleet.StartAsync(new SimulatorOptions { IpmiBase = IPAddress.Parse("127.78.250.9"), IpmiPort = 0 });
        using var cli = Runner();
        var endpoint = fleet.IpmiEndpoints[0];
        string[] Args(string user, string password, params string[] verb) => [.. verb, "--driver", "ipmi", "--host", endpoint.Address.ToString(),
            "--port", endpoint.Port.ToString(), "--user", user, "--password-file", cli.File($"pw-{user}", password)];
        Assert.Equal("powered on (confirmed)" + Environment.NewLine, (await cli.OkAsync(Args("operator", "operpass", "bmc", "power", "on"))).Out);
        Assert.Equal(PowerState.On, fleet.Bmcs[0].Power);
        await cli.OkAsync(Args("operator", "operpass", "bmc", "bootdev", "pxe"));
        Assert.Equal(BootDevice.Pxe, fleet.Bmcs[0].Boot.Device);
        Assert.Equal("on" + Environment.NewLine, (await cli.OkAsync(Args("user", "userpass", "bmc", "power", "status"))).Out);
        var refused = await cli.FailsAsync(1, Args("user", "userpass", "bmc", "power", "off"));
        Assert.Contains("Insufficient privilege", refused.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Root_help_lists_bmc_and_sim()
    {
        using var cli = new CliRunner();
        var result = await cli.OkAsync("--help");
        Assert.Contains(Environment.NewLine + "  bmc ", result.Out);
        Assert.Contains(Environment.NewLine + "  sim ", result.Out);
    }

    [Fact]
    public async Task Help_offers_a_password_file_and_no_password_flag()
    {
        using var cli = new CliRunner();
        var result = await cli.OkAsync("bmc", "power", "on", "--help");
        Assert.Contains("--password-file <path>", result.Out);
        Assert.Contains("INGOT_BMC_PASSWORD", result.Out);
        Assert.Contains("--driver", result.Out);
        Assert.DoesNotContain("--password ", result.Out);
    }
}
