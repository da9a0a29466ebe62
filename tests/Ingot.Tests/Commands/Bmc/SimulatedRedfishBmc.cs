using System.Net;
using Ingot.Bmc;
using Ingot.Simulator;
using Ingot.Simulator.Redfish;

namespace Ingot.Tests.Commands.Bmc;

/// <summary>One simulated BMC answering Redfish over HTTP on a loopback address of its own, and the
/// `ingot bmc` flags that reach it.</summary>
public sealed class SimulatedRedfishBmc : IAsyncDisposable
{
    private static int next;
    private readonly RedfishSimulator server;

    private SimulatedRedfishBmc(SimulatedBmc bmc, RedfishSimulator server)
    {
        Bmc = bmc;
        this.server = server;
    }

    public SimulatedBmc Bmc { get; }
    public IPEndPoint Endpoint => server.EndpointOf(Bmc);
    public RedfishBmcState State => server.StateOf(Bmc);

    public static async Task<SimulatedRedfishBmc> StartAsync(PowerState power = PowerState.Off)
    {
        var n = Interlocked.Increment(ref next);
        var address = new IPAddress([127, 78, (byte)(n / 250), (byte)(n % 250 + 1)]);
        var bmc = new SimulatedBmc($"cli-bmc-{n}", address, [new SimUser("admin", "password", IpmiPrivilege.Administrator)], power);
        return new SimulatedRedfishBmc(bmc, await RedfishSimulator.StartAsync([bmc]));
    }

    /// <summary>`bmc VERB… --driver redfish --scheme http --host … --port … --user admin`.</summary>
    public string[] Args(params string[] verb) =>
        [.. verb, "--driver", "redfish", "--scheme", "http", "--host", Endpoint.Address.ToString(), "--port", Endpoint.Port.ToString(), "--user", "admin"];

    public ValueTask DisposeAsync() => server.DisposeAsync();
}
