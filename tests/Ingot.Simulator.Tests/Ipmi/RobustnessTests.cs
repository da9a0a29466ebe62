using System.Net.Sockets;
using System.Net;
using Ingot.Bmc;
using Ingot.Bmc.Ipmi;

namespace Ingot.Simulator.Tests.Ipmi;

public sealed class RobustnessFleet() : FleetFixture("127.1.3.1", 4);

/// <summary>Process level: thousands of random, truncated and bit-flipped datagrams over real UDP, then ipmitool
/// must still get correct answers — the receive loop survived and no half-open session blocks a login.</summary>
public sealed class RobustnessTests(RobustnessFleet fleet) : IClassFixture<RobustnessFleet>
{
    [Fact]
    public async Task AfterThousandsOfBadDatagrams_IpmitoolStillPowersOn()
    {
        var target = fleet.Fleet.IpmiEndpoints[0];
        using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var seeds = Seeds();
        var random = new Random(623);
        for (var i = 0; i < 5000; i++)
        {
            await socket.SendAsync(PacketRouterTests.Mutate(seeds[random.Next(seeds.Length)], random), target);
            if (i % 200 == 0) await Task.Delay(5); // let the loop drain: this tests parsing, not socket buffer sizes
        }
        Assert.True(fleet.Fleet.Servers[0].Received > 0);

        var result = await ExternalTool.IpmitoolAsync(target.Address.ToString(), "admin", "password", 3, "power", "on");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(PowerState.On, fleet.Bmc(0).Power);
        var status = await ExternalTool.IpmipowerAsync(target.Address.ToString(), "admin", "password", 3, "--stat");
        Assert.Equal($"{target.Address}: on", status.Stdout.Trim());
        Assert.Equal(0, fleet.Fleet.Servers[0].Failed);
    }

    [Fact]
    public async Task GarbageRepliesFault_IpmitoolFailsAndNothingChanges()
    {
        fleet.Bmc(1).Faults = new BmcFaults { GarbageReplies = true };
        var result = await ExternalTool.IpmitoolAsync(fleet.Host(1), "admin", "password", 3, "power", "on");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal(PowerState.Off, fleet.Bmc(1).Power);
        fleet.Bmc(1).Faults = new BmcFaults { Unreachable = true };
        var silent = await ExternalTool.IpmipowerAsync(fleet.Host(1), "admin", "password", 3, "--stat");
        Assert.Contains("connection timeout", silent.Stdout);
    }

    [Fact]
    public async Task LatencyFault_SlowsAnswersButIpmitoolStillSucceeds()
    {
        fleet.Bmc(2).Faults = new BmcFaults { Latency = TimeSpan.FromMilliseconds(300) };
        var started = DateTime.UtcNow;
        var result = await ExternalTool.IpmitoolAsync(fleet.Host(2), "admin", "password", 3, "power", "on");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(PowerState.On, fleet.Bmc(2).Power);
        Assert.True(DateTime.UtcNow - started > TimeSpan.FromSeconds(1.5), "six round trips at 300 ms each");
    }

    [Fact]
    public async Task DropRateFault_FreeIpmiRetransmitsUntilThePowerIsOn()
    {
        // A fifth of the requests vanish; ipmipower resends after 200 ms and has 20 s in all, so the chance of
        // running out of time is negligible while every handshake step is still exercised under loss. "On" and
        // not "cycle": ipmipower resends a command whose answer is late with a new rqSeq, so a BMC cannot tell it
        // from a new request, and a cycle answered slowly (a cold, JIT-compiling test host) ran three times. This
        // test also caught ipmipower re-tagging its RAKP 3 retransmissions (see BmcSession.Rakp4Answer).
        fleet.Bmc(3).Faults = new BmcFaults { DropRate = 0.2 };
        var result = await ExternalTool.RunAsync("/usr/sbin/ipmipower",
            ["-D", "LAN_2_0", "-h", fleet.Host(3), "-u", "admin", "-p", "password", "-I", "3", "-l", "ADMIN",
             "--session-timeout=20000", "--retransmission-timeout=200", "--on"]);
        Assert.True(result.Stdout.Trim() == $"{fleet.Host(3)}: ok", result.ToString());
        Assert.Equal(PowerState.On, fleet.Bmc(3).Power);
        Assert.Equal(1, fleet.Bmc(3).PowerTransitions);
    }

    /// <summary>Well-formed requests of each kind the server parses, as mutation seeds.</summary>
    private static byte[][] Seeds() =>
    [
        SessionPacket.EncodeIpmi15(GetChannelAuthCapabilities.Request(0, 4).Encode()),
        SessionPacket.EncodeUnauthenticated(PayloadType.OpenSessionRequest, OpenSessionRequest.For(CipherSuite.Suite3, 1, 0, 9).Encode()),
        SessionPacket.EncodeUnauthenticated(PayloadType.OpenSessionRequest, OpenSessionRequest.For(CipherSuite.Suite17, 1, 4, 9).Encode()),
        SessionPacket.EncodeUnauthenticated(PayloadType.Rakp1, new Rakp1(2, 1, new byte[16], 0x14, "admin"u8.ToArray()).Encode()),
        SessionPacket.EncodeUnauthenticated(PayloadType.Rakp3, new Rakp3(3, 0, 1, new byte[20]).Encode()),
        SessionPacket.EncodeUnauthenticated(PayloadType.IpmiMessage, new IpmiRequest(0x06, 0x54, 0, [0x0E, 0, 0x80]).Encode()),
    ];
}
