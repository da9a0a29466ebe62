using Ingot.Bmc;

namespace Ingot.Simulator.Tests.Ipmi;

public sealed class FreeIpmiFleet() : FleetFixture("127.1.2.1", 24);

/// <summary>FreeIPMI (ipmipower, ipmi-chassis, ipmi-chassis-config) over RMCP+ against the simulator, with suites
/// 3 and 17. FreeIPMI needs no -W workaround flags here (ipmi_sim needs -W opensesspriv): the simulator keys
/// its session on RAKP 1's role byte, as the specification says.</summary>
public sealed class FreeIpmiTests(FreeIpmiFleet fleet) : IClassFixture<FreeIpmiFleet>
{
    [Theory]
    [InlineData(3, 0)]
    [InlineData(17, 1)]
    public async Task IpmipowerStat_ReportsTheSimulatedState(int suite, int index)
    {
        var off = await ExternalTool.IpmipowerAsync(fleet.Host(index), "admin", "password", suite, "--stat");
        Assert.Equal($"{fleet.Host(index)}: off", off.Stdout.Trim());
        fleet.Bmc(index).Apply(PowerAction.On);
        var on = await ExternalTool.IpmipowerAsync(fleet.Host(index), "admin", "password", suite, "--stat");
        Assert.Equal($"{fleet.Host(index)}: on", on.Stdout.Trim());
    }

    [Theory]
    [InlineData(3, 2)]
    [InlineData(17, 3)]
    public async Task IpmipowerOnCycleOff_ChangeThePower(int suite, int index)
    {
        var bmc = fleet.Bmc(index);
        foreach (var (action, expected) in new[] { ("--on", PowerState.On), ("--cycle", PowerState.On), ("--off", PowerState.Off) })
        {
            var result = await ExternalTool.IpmipowerAsync(fleet.Host(index), "admin", "password", suite, action);
            Assert.True(result.Stdout.Trim() == $"{fleet.Host(index)}: ok", $"{action}: {result}");
            Assert.Equal(expected, bmc.Power);
        }
        Assert.Equal(4, bmc.PowerTransitions);
    }

    [Theory]
    [InlineData(3, 4)]
    [InlineData(17, 5)]
    public async Task Operator_MayPowerOn(int suite, int index)
    {
        var result = await ExternalTool.IpmipowerAsync(fleet.Host(index), "operator", "operpass", suite, "--on", "OPERATOR");
        Assert.True(result.Stdout.Trim() == $"{fleet.Host(index)}: ok", result.ToString());
        Assert.Equal(PowerState.On, fleet.Bmc(index).Power);
    }

    [Theory]
    [InlineData(3, 6)]
    [InlineData(17, 7)]
    public async Task WrongPassword_IsReportedAndChangesNothing(int suite, int index)
    {
        var result = await ExternalTool.IpmipowerAsync(fleet.Host(index), "admin", "wrong", suite, "--on");
        Assert.Contains("password invalid", result.Stdout);
        Assert.Equal(PowerState.Off, fleet.Bmc(index).Power);
        Assert.Equal(0, fleet.Bmc(index).PowerTransitions);
    }

    [Fact]
    public async Task UserAccount_AskingForAdministrator_IsRefused()
    {
        var result = await ExternalTool.IpmipowerAsync(fleet.Host(8), "user", "userpass", 3, "--on");
        Assert.Contains("privilege level cannot be obtained", result.Stdout);
        Assert.Equal(PowerState.Off, fleet.Bmc(8).Power);
    }

    [Fact]
    public async Task UserAccount_AtUserLevel_ChassisControlIsRefusedByTheBmc()
    {
        // ipmipower refuses "--on" at USER level by itself; ipmi-chassis sends the command, so the BMC's own
        // privilege check (completion code 0xD4) is what is tested here.
        var result = await ExternalTool.RunAsync("/usr/sbin/ipmi-chassis",
            [.. ExternalTool.FreeIpmiFlags(fleet.Host(9), "user", "userpass", 3, "USER"), "--chassis-control=POWER-UP"]);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("privilege level insufficient", result.Stderr);
        Assert.Equal(PowerState.Off, fleet.Bmc(9).Power);
    }

    [Theory]
    [InlineData(3, 10)]
    [InlineData(17, 11)]
    public async Task IpmiChassis_GetChassisStatus_ShowsPower(int suite, int index)
    {
        fleet.Bmc(index).Apply(PowerAction.On);
        var result = await ExternalTool.IpmiChassisAsync(fleet.Host(index), "admin", "password", suite, "--get-chassis-status");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"System Power\s+: on", result.Stdout);
    }

    [Theory]
    [InlineData(3, 12)]
    [InlineData(17, 13)]
    public async Task IpmiChassisConfig_BootFlags_SetAndReadBack(int suite, int index)
    {
        // FreeIPMI 1.6.10's ipmi-chassis has no --set-boot-flags any more; ipmi-chassis-config's Chassis_Boot_Flags
        // section sends the same Set System Boot Options parameter 5.
        var commit = await ExternalTool.IpmiChassisConfigAsync(fleet.Host(index), "admin", "password", suite, "--commit",
            "--key-pair=Chassis_Boot_Flags:Boot_Device=PXE", "--key-pair=Chassis_Boot_Flags:Boot_Flags_Persistent=Yes",
            "--key-pair=Chassis_Boot_Flags:BIOS_Boot_Type=EFI");
        Assert.True(commit.ExitCode == 0, commit.ToString());
        Assert.Equal(new BootSettings(BootDevice.Pxe, Persistent: true, Uefi: true), fleet.Bmc(index).Boot);

        var checkout = await ExternalTool.IpmiChassisConfigAsync(fleet.Host(index), "admin", "password", suite, "--checkout",
            "--section=Chassis_Boot_Flags");
        Assert.Matches(@"Boot_Device\s+PXE", checkout.Stdout);
        Assert.Matches(@"Boot_Flags_Persistent\s+Yes", checkout.Stdout);
    }

    [Fact]
    public async Task Ipmipower_SeveralHostsInOneCall_AllAnswer()
    {
        var hosts = string.Join(',', Enumerable.Range(14, 6).Select(fleet.Host));
        var result = await ExternalTool.RunAsync("/usr/sbin/ipmipower",
            [.. ExternalTool.FreeIpmiFlags(hosts, "admin", "password", 17), "--on"]);
        foreach (var i in Enumerable.Range(14, 6))
        {
            Assert.Contains($"{fleet.Host(i)}: ok", result.Stdout);
            Assert.Equal(PowerState.On, fleet.Bmc(i).Power);
        }
    }
}
