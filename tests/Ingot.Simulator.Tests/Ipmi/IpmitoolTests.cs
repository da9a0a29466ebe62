using Ingot.Bmc;
using Ingot.Simulator.Ipmi;

namespace Ingot.Simulator.Tests.Ipmi;

public sealed class IpmitoolFleet() : FleetFixture("127.1.1.1", 24);

/// <summary>ipmitool -I lanplus (a third-party RMCP+ client) against the simulator, observed through the simulated
/// BMC's state. Suite 17 runs here as well as 3: this is the independent check of our HMAC-SHA256 code.</summary>
public sealed class IpmitoolTests(IpmitoolFleet fleet) : IClassFixture<IpmitoolFleet>
{
    [Theory]
    [InlineData(3, 0)]
    [InlineData(17, 1)]
    public async Task PowerStatus_ReportsTheSimulatedState(int suite, int index)
    {
        var off = await ExternalTool.IpmitoolAsync(fleet.Host(index), "admin", "password", suite, "power", "status");
        Assert.True(off.ExitCode == 0, off.ToString());
        Assert.Contains("Chassis Power is off", off.Stdout);

        fleet.Bmc(index).Apply(PowerAction.On);
        var on = await ExternalTool.IpmitoolAsync(fleet.Host(index), "admin", "password", suite, "power", "status");
        Assert.Contains("Chassis Power is on", on.Stdout);
    }

    [Theory]
    [InlineData(3, 2)]
    [InlineData(17, 3)]
    public async Task PowerOnOffCycle_ChangeThePowerAndCountTransitions(int suite, int index)
    {
        var bmc = fleet.Bmc(index);
        var on = await ExternalTool.IpmitoolAsync(fleet.Host(index), "admin", "password", suite, "power", "on");
        Assert.True(on.ExitCode == 0, on.ToString());
        Assert.Equal(PowerState.On, bmc.Power);

        var cycle = await ExternalTool.IpmitoolAsync(fleet.Host(index), "admin", "password", suite, "power", "cycle");
        Assert.True(cycle.ExitCode == 0, cycle.ToString());
        Assert.Equal(PowerState.On, bmc.Power);

        var off = await ExternalTool.IpmitoolAsync(fleet.Host(index), "admin", "password", suite, "power", "off");
        Assert.True(off.ExitCode == 0, off.ToString());
        Assert.Equal(PowerState.Off, bmc.Power);
        Assert.Equal(4, bmc.PowerTransitions); // on, off+on (cycle), off
    }

    [Theory]
    [InlineData(3, 4)]
    [InlineData(17, 5)]
    public async Task BootdevPxe_SetsAOneTimePxeBoot(int suite, int index)
    {
        var result = await ExternalTool.IpmitoolAsync(fleet.Host(index), "admin", "password", suite, "chassis", "bootdev", "pxe");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(new BootSettings(BootDevice.Pxe), fleet.Bmc(index).Boot);
    }

    [Fact]
    public async Task BootdevDiskPersistentEfi_SetsAllThreeFlags()
    {
        var result = await ExternalTool.IpmitoolAsync(fleet.Host(6), "admin", "password", 17,
            "chassis", "bootdev", "disk", "options=persistent,efiboot");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(new BootSettings(BootDevice.Disk, Persistent: true, Uefi: true), fleet.Bmc(6).Boot);
    }

    [Fact]
    public async Task BootdevBios_ReadsBackThroughBootparam()
    {
        var set = await ExternalTool.IpmitoolAsync(fleet.Host(7), "admin", "password", 3, "chassis", "bootdev", "bios");
        Assert.True(set.ExitCode == 0, set.ToString());
        var get = await ExternalTool.IpmitoolAsync(fleet.Host(7), "admin", "password", 3, "chassis", "bootparam", "get", "5");
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Contains("Force Boot into BIOS Setup", get.Stdout);
        Assert.Equal(BootDevice.BiosSetup, fleet.Bmc(7).Boot.Device);
    }

    [Theory]
    [InlineData(3, 8)]
    [InlineData(17, 9)]
    public async Task Operator_MayPowerOn(int suite, int index)
    {
        var result = await ExternalTool.IpmitoolAsync(fleet.Host(index), "operator", "operpass", suite, "-L", "OPERATOR", "power", "on");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(PowerState.On, fleet.Bmc(index).Power);
    }

    [Theory]
    [InlineData(3, 10)]
    [InlineData(17, 11)]
    public async Task WrongPassword_FailsAndChangesNothing(int suite, int index)
    {
        // -v: ipmitool names the RAKP failure only when verbose.
        var result = await ExternalTool.IpmitoolAsync(fleet.Host(index), "admin", "not-the-password", suite, "-v", "power", "on");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("RAKP 2 HMAC is invalid", result.Stderr);
        Assert.Equal(PowerState.Off, fleet.Bmc(index).Power);
        Assert.Equal(0, fleet.Bmc(index).PowerTransitions);
    }

    [Fact]
    public async Task UserAccount_AskingForAdministrator_IsRefusedAtLogin()
    {
        var result = await ExternalTool.IpmitoolAsync(fleet.Host(12), "user", "userpass", 3, "-v", "power", "on");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("unauthorized role", result.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(PowerState.Off, fleet.Bmc(12).Power);
    }

    [Fact]
    public async Task UserAccount_AtUserLevel_CanReadButNotPowerOn()
    {
        var status = await ExternalTool.IpmitoolAsync(fleet.Host(13), "user", "userpass", 3, "-L", "USER", "power", "status");
        Assert.True(status.ExitCode == 0, status.ToString());
        var on = await ExternalTool.IpmitoolAsync(fleet.Host(13), "user", "userpass", 3, "-L", "USER", "power", "on");
        Assert.NotEqual(0, on.ExitCode);
        Assert.Contains("Insufficient privilege", on.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(PowerState.Off, fleet.Bmc(13).Power);
    }

    [Fact]
    public async Task UnknownUser_Fails()
    {
        var result = await ExternalTool.IpmitoolAsync(fleet.Host(14), "nobody", "password", 3, "-v", "power", "on");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("unauthorized name", result.Stderr);
        Assert.Equal(PowerState.Off, fleet.Bmc(14).Power);
    }

    [Fact]
    public async Task NoSuiteGiven_NegotiatesSuite17FromGetChannelCipherSuites()
    {
        var result = await ExternalTool.RunAsync("/usr/bin/ipmitool",
            ["-I", "lanplus", "-H", fleet.Host(15), "-U", "admin", "-P", "password", "-N", "1", "-R", "3", "-v", "power", "status"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("cipher suite 17", result.Stderr + result.Stdout);
    }

    [Fact]
    public async Task UnofferedSuite_IsRefused()
    {
        var result = await ExternalTool.IpmitoolAsync(fleet.Host(16), "admin", "password", 1, "-v", "power", "on");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("no matching cipher suite", result.Stderr);
        Assert.Equal(PowerState.Off, fleet.Bmc(16).Power);
    }

    [Fact]
    public async Task ChannelGetciphers_ListsSuites3And17()
    {
        var result = await ExternalTool.IpmitoolAsync(fleet.Host(20), "admin", "password", 3, "channel", "getciphers", "ipmi");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"(?m)^3\s+N/A\s+hmac_sha1\s+hmac_sha1_96\s+aes_cbc_128", result.Stdout);
        Assert.Matches(@"(?m)^17\s+N/A\s+hmac_sha256\s+sha256_128\s+aes_cbc_128", result.Stdout);
    }

    [Theory]
    [InlineData(3, 21)]
    [InlineData(17, 17)]
    public async Task McInfo_ReadsDeviceId(int suite, int index)
    {
        var result = await ExternalTool.IpmitoolAsync(fleet.Host(index), "admin", "password", suite, "mc", "info");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("IPMI Version", result.Stdout);
        Assert.Contains("2.0", result.Stdout);
    }

    [Fact]
    public async Task PowerResetAndSoft_RebootThenTurnOff()
    {
        var bmc = fleet.Bmc(19);
        bmc.Apply(PowerAction.On);
        var reset = await ExternalTool.IpmitoolAsync(fleet.Host(19), "admin", "password", 3, "power", "reset");
        Assert.True(reset.ExitCode == 0, reset.ToString());
        Assert.Equal(PowerState.On, bmc.Power);
        Assert.Equal(1, bmc.PowerTransitions); // a reset reboots without a power transition
        var soft = await ExternalTool.IpmitoolAsync(fleet.Host(19), "admin", "password", 3, "power", "soft");
        Assert.True(soft.ExitCode == 0, soft.ToString());
        Assert.Equal(PowerState.Off, bmc.Power);
    }

    [Fact]
    public async Task WrongCredentialsFault_RefusesTheRightPassword()
    {
        fleet.Bmc(18).Faults = new BmcFaults { WrongCredentials = true };
        var result = await ExternalTool.IpmitoolAsync(fleet.Host(18), "admin", "password", 3, "-v", "power", "on");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("unauthorized name", result.Stderr);
        Assert.Equal(PowerState.Off, fleet.Bmc(18).Power);
    }
}
