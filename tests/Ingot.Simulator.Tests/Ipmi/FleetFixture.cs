using System.Net;
using Ingot.Simulator.Ipmi;

namespace Ingot.Simulator.Tests.Ipmi;

/// <summary>A few simulated BMCs on UDP 623 of their own loopback addresses, shared by one test class. Each
/// class has its own /24 (127.1.N.x) so classes running in parallel never share a BMC; each test uses its own
/// BMC index so tests need no reset between them.</summary>
public abstract class FleetFixture(string baseAddress, int count) : IAsyncLifetime
{
    private SimulatorFleet? fleet;

    public SimulatorFleet Fleet => fleet ?? throw new InvalidOperationException("fixture not started");

    public SimulatedBmc Bmc(int index) => Fleet.Bmcs[index];

    public string Host(int index) => Fleet.IpmiEndpoints[index].Address.ToString();

    public async Task InitializeAsync()
    {
        WarmUp();
        fleet = await IpmiFleet.StartAsync(new SimulatorOptions { Count = count, IpmiBase = IPAddress.Parse(baseAddress) });
    }

    /// <summary>One in-process login per suite, so the first real packet is not answered by a JIT-compiling host:
    /// FreeIPMI resends a late request with a new rqSeq, and a late "cycle" would then run twice.</summary>
    private static void WarmUp()
    {
        foreach (var suite in new[] { Ingot.Bmc.Ipmi.CipherSuite.Suite3, Ingot.Bmc.Ipmi.CipherSuite.Suite17 })
        {
            var bmc = new SimulatedBmc("warm-up", IPAddress.Loopback, SimulatorOptions.DefaultUsers);
            var console = new InProcessConsole(new PacketRouter(bmc, new SessionLimits(), TimeProvider.System), suite);
            try { console.Login(); } catch (Exception) { /* only warming up; the tests report real failures */ }
        }
    }

    public async Task DisposeAsync()
    {
        if (fleet is not null) await fleet.DisposeAsync();
    }
}
