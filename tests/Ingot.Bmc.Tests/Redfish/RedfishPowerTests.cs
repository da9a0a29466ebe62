using Ingot.Bmc.Redfish;
using Ingot.Simulator.Redfish;

namespace Ingot.Bmc.Tests.Redfish;

/// <summary>Our Redfish client against our Redfish simulator over real HTTP: the simulated machine's
/// power really changes, and the transition counter says how often.</summary>
public sealed class RedfishPowerTests
{
    [Fact]
    public async Task Power_status_reads_the_simulated_machine()
    {
        await using var sim = await SimRedfish.StartAsync(PowerState.On);
        await using var bmc = sim.Client();
        Assert.Equal(PowerState.On, await bmc.GetPowerStateAsync());
    }

    [Theory]
    [InlineData(PowerState.Off, PowerAction.On, PowerState.On, 1)]
    [InlineData(PowerState.On, PowerAction.Off, PowerState.Off, 1)]
    [InlineData(PowerState.On, PowerAction.SoftOff, PowerState.Off, 1)]
    [InlineData(PowerState.On, PowerAction.Cycle, PowerState.On, 2)]
    [InlineData(PowerState.On, PowerAction.Reset, PowerState.On, 0)]
    [InlineData(PowerState.On, PowerAction.On, PowerState.On, 0)]
    public async Task Power_actions_change_the_simulated_machine(PowerState initial, PowerAction action, PowerState after, long transitions)
    {
        await using var sim = await SimRedfish.StartAsync(initial);
        await using var bmc = sim.Client();
        await bmc.SendPowerAsync(action);
        Assert.Equal(after, sim.Bmc.Power);
        Assert.Equal(after, await bmc.GetPowerStateAsync());
        Assert.Equal(transitions, sim.Bmc.PowerTransitions);
    }

    [Fact]
    public async Task A_reset_type_the_system_does_not_allow_is_unsupported_and_names_the_allowed_ones()
    {
        var profile = new RedfishProfile { ResetTypes = ["On", "ForceOff", "GracefulShutdown", "ForceRestart"] };
        await using var sim = await SimRedfish.StartAsync(PowerState.On, profile);
        await using var bmc = sim.Client();
        var e = await Assert.ThrowsAsync<BmcUnsupportedException>(() => bmc.SendPowerAsync(PowerAction.Cycle));
        Assert.Contains("On, ForceOff, GracefulShutdown, ForceRestart", e.Message);
        Assert.Contains(sim.Target().Name, e.Message);
        Assert.Equal(0, sim.Bmc.PowerTransitions); // nothing was sent
    }

    [Fact]
    public async Task On_falls_back_to_ForceOn_when_the_system_allows_only_that()
    {
        var profile = new RedfishProfile { ResetTypes = ["ForceOn", "ForceOff"] };
        await using var sim = await SimRedfish.StartAsync(PowerState.Off, profile);
        await using var bmc = sim.Client();
        await bmc.SendPowerAsync(PowerAction.On);
        Assert.Equal(PowerState.On, sim.Bmc.Power);
    }

    [Fact]
    public async Task Allowable_reset_types_published_only_in_action_info_are_honoured()
    {
        // Some services link an ActionInfo resource instead of listing the values inline.
        var profile = new RedfishProfile { ResetTypes = ["On", "ForceOff"], ResetTypesInActionInfo = true };
        await using var sim = await SimRedfish.StartAsync(PowerState.On, profile);
        await using var bmc = sim.Client();
        var e = await Assert.ThrowsAsync<BmcUnsupportedException>(() => bmc.SendPowerAsync(PowerAction.Reset));
        Assert.Contains("allows ResetType On, ForceOff, not ForceRestart", e.Message);
        Assert.Equal(0, sim.State.ResetRequests);
        await bmc.SendPowerAsync(PowerAction.Off);
        Assert.Equal(PowerState.Off, sim.Bmc.Power);
    }

    [Fact]
    public async Task Device_info_comes_from_the_computer_system()
    {
        await using var sim = await SimRedfish.StartAsync();
        await using var bmc = sim.Client();
        var info = await bmc.GetDeviceInfoAsync();
        Assert.Equal("Ingot", info.Manufacturer);
        Assert.Equal("Simulated BMC", info.Model);
        Assert.Equal("1.0.0-sim", info.FirmwareVersion);
        Assert.Equal(sim.Bmc.Guid.ToString(), info.Guid);
        Assert.Equal(sim.Bmc.Name, info.Details["SerialNumber"]);
    }
}
