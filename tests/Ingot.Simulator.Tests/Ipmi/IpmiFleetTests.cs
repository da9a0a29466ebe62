using System.Net;
using Ingot.Simulator.Ipmi;

namespace Ingot.Simulator.Tests.Ipmi;

public sealed class IpmiFleetTests
{
    [Fact]
    public void EndpointOf_ConsecutiveAddresses_CarryIntoTheNextOctet()
    {
        var options = new SimulatorOptions { IpmiBase = IPAddress.Parse("127.1.0.254") };
        Assert.Equal("127.1.0.254:623", IpmiFleet.EndpointOf(options, 0).ToString());
        Assert.Equal("127.1.1.0:623", IpmiFleet.EndpointOf(options, 2).ToString());
    }

    [Fact]
    public void EndpointOf_PortPerBmc_KeepsTheAddress()
    {
        var options = new SimulatorOptions { IpmiBase = IPAddress.Loopback, IpmiPort = 10623, PortPerBmc = true };
        Assert.Equal("127.0.0.1:10625", IpmiFleet.EndpointOf(options, 2).ToString());
    }

    [Fact]
    public async Task StartAsync_RefusesANonLoopbackBase()
    {
        await Assert.ThrowsAsync<ArgumentException>(() =>
            IpmiFleet.StartAsync(new SimulatorOptions { IpmiBase = IPAddress.Parse("10.0.0.1") }));
    }

    [Fact]
    public async Task StartAsync_EphemeralPorts_ReportTheRealOnes()
    {
        await using var fleet = await IpmiFleet.StartAsync(new SimulatorOptions
        {
            Count = 3, IpmiBase = IPAddress.Loopback, IpmiPort = 0, PortPerBmc = true,
        });
        Assert.Equal(3, fleet.Bmcs.Count);
        Assert.All(fleet.IpmiEndpoints, e => Assert.NotEqual(0, e.Port));
        Assert.Equal(["sim-bmc-1", "sim-bmc-2", "sim-bmc-3"], fleet.Bmcs.Select(b => b.Name));
    }
}
