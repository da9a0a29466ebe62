using Ingot.Simulator.Redfish;

namespace Ingot.Bmc.Tests.Redfish;

public sealed class RedfishBootTests
{
    [Theory]
    [InlineData(BootDevice.Pxe, false, false)]
    [InlineData(BootDevice.Disk, true, false)]
    [InlineData(BootDevice.Pxe, false, true)]
    [InlineData(BootDevice.BiosSetup, true, true)]
    public async Task Boot_override_is_recorded_by_the_simulated_machine(BootDevice device, bool persistent, bool uefi)
    {
        await using var sim = await SimRedfish.StartAsync();
        await using var bmc = sim.Client();
        var wanted = new BootSettings(device, persistent, uefi);
        await bmc.SetBootDeviceAsync(wanted);
        Assert.Equal(wanted, sim.Bmc.Boot);
        Assert.Equal(wanted, await bmc.GetBootDeviceAsync());
    }

    [Fact]
    public async Task A_boot_target_the_system_does_not_allow_is_unsupported()
    {
        await using var sim = await SimRedfish.StartAsync(profile: new RedfishProfile { BootTargets = ["None", "Pxe", "Hdd"] });
        await using var bmc = sim.Client();
        var e = await Assert.ThrowsAsync<BmcUnsupportedException>(() => bmc.SetBootDeviceAsync(new BootSettings(BootDevice.BiosSetup)));
        Assert.Contains("None, Pxe, Hdd", e.Message);
        Assert.Equal(BootDevice.None, sim.Bmc.Boot.Device);
    }
}
