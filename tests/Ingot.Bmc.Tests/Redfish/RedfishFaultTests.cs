using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Ingot.Bmc.Redfish;

namespace Ingot.Bmc.Tests.Redfish;

/// <summary>Each injected fault surfaces as the error type a caller acts on, within the deadline.</summary>
public sealed class RedfishFaultTests
{
    private static readonly RedfishOptions Short = new() { ConnectTimeout = TimeSpan.FromSeconds(1), RequestTimeout = TimeSpan.FromSeconds(1) };

    // For tests that expect an answer: the first request of a busy test run also pays for JIT and set-up.
    private static readonly RedfishOptions Roomy = new() { RequestTimeout = TimeSpan.FromSeconds(20) };

    [Fact]
    public async Task Nothing_listening_is_unreachable()
    {
        var port = FreePort();
        await using var bmc = new RedfishBmc(new BmcTarget("redfish", "127.0.0.1", port, "admin", "password") { Scheme = "http" }, Short);
        var e = await Assert.ThrowsAsync<BmcUnreachableException>(() => bmc.GetPowerStateAsync());
        Assert.Contains($"redfish://127.0.0.1:{port}", e.Message);
        Assert.True(e.IsTransient);
    }

    [Fact]
    public async Task An_unreachable_bmc_is_unreachable_within_the_deadline()
    {
        await using var sim = await SimRedfish.StartAsync();
        sim.Bmc.Faults = new() { Unreachable = true };
        await using var bmc = sim.Client(options: Short);
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<BmcUnreachableException>(() => bmc.GetPowerStateAsync());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_bmc_that_drops_every_request_times_out_as_unreachable()
    {
        await using var sim = await SimRedfish.StartAsync();
        sim.Bmc.Faults = new() { DropRate = 1 };
        await using var bmc = sim.Client(options: Short);
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<BmcUnreachableException>(() => bmc.GetPowerStateAsync());
        Assert.Contains("no answer within 1 s", e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Latency_below_the_deadline_only_slows_the_answer()
    {
        await using var sim = await SimRedfish.StartAsync(PowerState.On);
        sim.Bmc.Faults = new() { Latency = TimeSpan.FromMilliseconds(50) };
        await using var bmc = sim.Client(options: Roomy);
        Assert.Equal(PowerState.On, await bmc.GetPowerStateAsync());
    }

    [Fact]
    public async Task Garbage_is_a_malformed_reply()
    {
        await using var sim = await SimRedfish.StartAsync();
        sim.Bmc.Faults = new() { GarbageReplies = true };
        await using var bmc = sim.Client(options: Roomy);
        var e = await Assert.ThrowsAsync<BmcMalformedReplyException>(() => bmc.GetPowerStateAsync());
        Assert.Contains("not valid JSON", e.Message);
    }

    [Fact]
    public async Task A_value_refused_by_the_bmc_is_a_rejection_with_the_bmcs_message()
    {
        // Without published allowable values the client sends its preferred value; the BMC's 400 and its
        // Redfish error message come back as a command rejection.
        await using var sim = await SimRedfish.StartAsync(PowerState.On,
            new() { ResetTypes = ["On", "ForceOff"], AdvertiseAllowableValues = false });
        await using var bmc = sim.Client();
        var e = await Assert.ThrowsAsync<BmcCommandRejectedException>(() => bmc.SendPowerAsync(PowerAction.Cycle));
        Assert.Contains("power cycle rejected: HTTP 400: ResetType 'PowerCycle' is not one of On, ForceOff", e.Message);
        Assert.False(e.IsTransient);
        Assert.Equal(PowerState.On, sim.Bmc.Power);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
