using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ingot.Simulator.Redfish;

public sealed record RedfishSimulatorOptions
{
    /// <summary>The port every BMC listens on; 0 gives each BMC an ephemeral port of its own (tests).</summary>
    public int Port { get; init; }

    /// <summary>Serve HTTPS with this certificate (it needs its private key); plain HTTP when null.</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>How long stopping waits for requests in flight (a "dropped" request waits forever).</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>Serves the Redfish side of many simulated BMCs from one Kestrel server.</summary>
/// <remarks>Each BMC gets its own loopback address (SimulatedBmc.Address, 127.x.y.z) and the same port,
/// rather than a path prefix on one address: real BMCs are one per host, so clients use their real URL
/// shape (/redfish/v1 at the root), a fault such as "unreachable" hits one host the way it does in a
/// datacenter, and the IPMI half of the same BMC sits on the same address. Linux routes all of 127/8 to
/// the loopback interface, so no set-up is needed; the BMC is found from the connection's local address.</remarks>
public sealed class RedfishSimulator : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly Dictionary<IPAddress, RedfishBmcState> byAddress;
    private readonly Dictionary<IPAddress, int> ports;

    private RedfishSimulator(WebApplication app, Dictionary<IPAddress, RedfishBmcState> byAddress, Dictionary<IPAddress, int> ports)
    {
        this.app = app;
        this.byAddress = byAddress;
        this.ports = ports;
    }

    public bool Https { get; private init; }

    public static async Task<RedfishSimulator> StartAsync(IEnumerable<SimulatedBmc> bmcs, RedfishSimulatorOptions? options = null, CancellationToken ct = default)
    {
        options ??= new RedfishSimulatorOptions();
        var states = bmcs.Select(b => new RedfishBmcState(b)).ToDictionary(s => s.Bmc.Address);
        foreach (var address in states.Keys)
            if (address.GetAddressBytes() is not [127, _, _, _]) throw new ArgumentException($"{address} is not a loopback address; the simulator binds only 127.x.y.z.");
        var app = Build(states, options);
        await app.StartAsync(ct);
        var ports = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a)).ToDictionary(u => IPAddress.Parse(u.Host), u => u.Port);
        return new RedfishSimulator(app, states, ports) { Https = options.Certificate is not null };
    }

    /// <summary>Where <paramref name="bmc"/>'s Redfish service listens.</summary>
    public IPEndPoint EndpointOf(SimulatedBmc bmc) => new(bmc.Address, ports[bmc.Address]);

    /// <summary>The Redfish profile and counters of <paramref name="bmc"/>.</summary>
    public RedfishBmcState StateOf(SimulatedBmc bmc) => byAddress[bmc.Address];

    public IEnumerable<RedfishBmcState> States => byAddress.Values;

    private static WebApplication Build(Dictionary<IPAddress, RedfishBmcState> states, RedfishSimulatorOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = options.ShutdownTimeout);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var address in states.Keys)
                kestrel.Listen(address, options.Port, listen =>
                {
                    if (options.Certificate is { } certificate) listen.UseHttps(certificate);
                });
        });
        var app = builder.Build();
        app.Use((context, next) => ServeAsync(context, next, states));
        app.MapRedfish();
        return app;
    }

    /// <summary>Finds the BMC by the address the client connected to, then applies its faults.</summary>
    private static async Task ServeAsync(HttpContext context, RequestDelegate next, Dictionary<IPAddress, RedfishBmcState> states)
    {
        var local = context.Connection.LocalIpAddress;
        if (local is null || !states.TryGetValue(local.IsIPv4MappedToIPv6 ? local.MapToIPv4() : local, out var state))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        var faults = state.Bmc.Faults;
        try
        {
            if (faults.Latency > TimeSpan.Zero) await Task.Delay(faults.Latency, context.RequestAborted);
            if (faults.Unreachable)
            {
                // Closing the connection without an answer: what a client meets when a BMC's web server is down.
                context.Abort();
                return;
            }
            if (faults.DropRate > 0 && Random.Shared.NextDouble() < faults.DropRate)
            {
                // A dropped request: no answer until the client gives up (its timeout) or the server stops.
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            if (faults.GarbageReplies)
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("{\"@odata.id\": \"/redfish/v1/\", \u0000garbage<<", context.RequestAborted);
                return;
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return; // the client went away, or the server is stopping
        }
        context.Items[RedfishEndpoints.StateKey] = state;
        await next(context);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
    }
}
