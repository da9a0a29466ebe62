using System.Net;
using Ingot.Bmc;
using Ingot.Bmc.Redfish;
using Ingot.Simulator;
using Ingot.Simulator.Redfish;

namespace Ingot.Bmc.Tests.Redfish;

/// <summary>One simulated BMC served by our Redfish simulator on a loopback address of its own (port
/// chosen by the kernel), and targets for our client to reach it.</summary>
public sealed class SimRedfish : IAsyncDisposable
{
    private static int next;

    private SimRedfish(SimulatedBmc bmc, RedfishSimulator server)
    {
        Bmc = bmc;
        Server = server;
    }

    public SimulatedBmc Bmc { get; }
    public RedfishSimulator Server { get; }
    public RedfishBmcState State => Server.StateOf(Bmc);
    public IPEndPoint Endpoint => Server.EndpointOf(Bmc);

    /// <summary>A fresh address in 127.77.0.0/16 per BMC, so parallel tests never share one.</summary>
    public static IPAddress NextAddress()
    {
        var n = Interlocked.Increment(ref next);
        return new IPAddress([127, 77, (byte)(n / 250), (byte)(n % 250 + 1)]);
    }

    public static async Task<SimRedfish> StartAsync(PowerState power = PowerState.Off, RedfishProfile? profile = null, RedfishSimulatorOptions? options = null)
    {
        var bmc = new SimulatedBmc("sim-" + Guid.NewGuid().ToString("n")[..8], NextAddress(),
            [new SimUser("admin", "password", IpmiPrivilege.Administrator)], power);
        var server = await RedfishSimulator.StartAsync([bmc], options);
        if (profile is not null) server.StateOf(bmc).Profile = profile;
        return new SimRedfish(bmc, server);
    }

    public BmcTarget Target(string password = "password", string scheme = "http") =>
        new("redfish", Endpoint.Address.ToString(), Endpoint.Port, "admin", password) { Scheme = scheme };

    public RedfishBmc Client(string password = "password", RedfishOptions? options = null) => new(Target(password), options);

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
