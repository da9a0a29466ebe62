using Ingot.Bmc.Redfish;

namespace Ingot.Bmc.Tests.Redfish;

/// <summary>Our client against a service that closes every connection (HTTP/1.0, as the DMTF mockup server), and
/// against connections that die before their answer.</summary>
public sealed class RedfishConnectionTests
{
    private static readonly RedfishOptions Roomy = new() { RequestTimeout = TimeSpan.FromSeconds(20) };

    [Fact]
    public async Task Every_request_succeeds_against_a_service_that_closes_each_connection()
    {
        await using var sim = await SimRedfish.StartAsync();
        await using var front = new ClosingFront(sim.Endpoint);
        await using (var bmc = new RedfishBmc(Target(front), Roomy))
        {
            for (var i = 0; i < 10; i++)
            {
                await bmc.SendPowerAsync(PowerAction.On);
                Assert.Equal(PowerState.On, await bmc.GetPowerStateAsync());
                await bmc.SetBootDeviceAsync(new BootSettings(BootDevice.Pxe, Persistent: false, Uefi: true));
                Assert.Equal(BootDevice.Pxe, (await bmc.GetBootDeviceAsync()).Device);
                await bmc.SendPowerAsync(PowerAction.Off);
                Assert.Equal(PowerState.Off, await bmc.GetPowerStateAsync());
            }
        }
        Assert.Equal(0, front.ReusedAndDropped);
        Assert.Equal(0, sim.State.OpenSessions); // and the logout went through too
    }

    [Fact]
    public async Task A_dropped_connection_is_retried_once_for_an_idempotent_request()
    {
        await using var sim = await SimRedfish.StartAsync();
        await using var front = new ClosingFront(sim.Endpoint);
        front.DropOnce(line => line.StartsWith("PATCH ", StringComparison.Ordinal));
        await using var bmc = new RedfishBmc(Target(front), Roomy);
        await bmc.SetBootDeviceAsync(new BootSettings(BootDevice.Pxe, Persistent: false, Uefi: true));
        Assert.Equal(BootDevice.Pxe, sim.Bmc.Boot.Device);
        Assert.Equal(2, front.Requests.Count(r => r.StartsWith("PATCH ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_power_action_whose_connection_dropped_is_not_sent_again()
    {
        // The BMC may have acted before the connection died; a second Reset could cycle the machine twice.
        await using var sim = await SimRedfish.StartAsync();
        await using var front = new ClosingFront(sim.Endpoint);
        front.DropOnce(line => line.Contains("ComputerSystem.Reset", StringComparison.Ordinal));
        await using var bmc = new RedfishBmc(Target(front), Roomy);
        await Assert.ThrowsAsync<BmcUnreachableException>(() => bmc.SendPowerAsync(PowerAction.On));
        Assert.Single(front.Requests, r => r.Contains("ComputerSystem.Reset", StringComparison.Ordinal));
        Assert.Equal(PowerState.Off, sim.Bmc.Power);
    }

    private static BmcTarget Target(ClosingFront front) =>
        new("redfish", front.Endpoint.Address.ToString(), front.Endpoint.Port, "admin", "password") { Scheme = "http" };
}
