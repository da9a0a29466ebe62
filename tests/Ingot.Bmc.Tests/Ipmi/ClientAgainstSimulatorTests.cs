using System.Net;
using Ingot.Bmc;
using Ingot.Bmc.Ipmi;
using Ingot.Simulator;
using Ingot.Simulator.Ipmi;

namespace Ingot.Bmc.Tests.Ipmi;

/// <summary>Our client against our own simulator: the only BMC here that offers suite 17 (ipmi_sim does not). The
/// simulator's suite 17 is checked independently by ipmitool -C 17 in Ingot.Simulator.Tests, so together these show
/// the client's SHA-256 path agrees with a third-party implementation.</summary>
public sealed class ClientAgainstSimulatorTests
{
    [Theory]
    [InlineData(17)]
    [InlineData(3)]
    [InlineData(null)]
    public async Task PowerBootAndInfo_WorkWithEachSuite(int? suite)
    {
        await using var fleet = await IpmiFleet.StartAsync(new SimulatorOptions { Count = 1, IpmiBase = IPAddress.Parse("127.0.3.77"), IpmiPort = 0, PortPerBmc = true });
        var ep = fleet.IpmiEndpoints[0];
        var user = SimulatorOptions.DefaultUsers.First(u => u.MaxPrivilege == IpmiPrivilege.Administrator);
        await using var transport = new IpmiTransport(new IpmiClientOptions { LocalAddress = IPAddress.Loopback, AttemptTimeout = TimeSpan.FromSeconds(1), Attempts = 3 });
        await using var bmc = new IpmiBmc(new BmcTarget("ipmi", ep.Address.ToString(), ep.Port, user.Name, user.Password) { CipherSuite = suite }, transport);
        await bmc.SendPowerAsync(PowerAction.On);
        Assert.Equal(PowerState.On, await bmc.GetPowerStateAsync());
        await bmc.SetBootDeviceAsync(new BootSettings(BootDevice.Pxe, true, true));
        Assert.Equal(new BootSettings(BootDevice.Pxe, true, true), await bmc.GetBootDeviceAsync());
        var info = await bmc.GetDeviceInfoAsync();
        Assert.Equal(suite ?? 17, int.Parse(info.Details["cipher_suite"]));
    }

    [Fact]
    public async Task AThousandBmcs_AtOnce_OverFourSockets()
    {
        const int count = 1000;
        await using var fleet = await IpmiFleet.StartAsync(new SimulatorOptions
        {
            Count = count, IpmiBase = IPAddress.Parse("127.0.3.1"), IpmiPort = 0, PortPerBmc = true, InitialPower = PowerState.On,
        });
        await using var transport = new IpmiTransport(new IpmiClientOptions { LocalAddress = IPAddress.Loopback, SocketCount = 4 });
        var calls = fleet.IpmiEndpoints.Select(async ep =>
        {
            await using var bmc = new IpmiBmc(new BmcTarget("ipmi", ep.Address.ToString(), ep.Port, "admin", "password"), transport);
            return await bmc.GetPowerStateAsync();
        });
        var states = await Task.WhenAll(calls);
        Assert.All(states, s => Assert.Equal(PowerState.On, s));
        Assert.Equal(0, transport.ActiveRoutes);
    }
}
