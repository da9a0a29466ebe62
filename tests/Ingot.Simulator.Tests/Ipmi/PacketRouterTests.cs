using Ingot.Bmc;
using Ingot.Bmc.Ipmi;
using Ingot.Simulator.Ipmi;

namespace Ingot.Simulator.Tests.Ipmi;

/// <summary>The session layer without sockets: retransmissions, replays, privileges, close, and the parser's
/// resistance to mutated input (thousands of cases from a fixed seed, so a failure reproduces).</summary>
public sealed class PacketRouterTests
{
    private static SimulatedBmc NewBmc() =>
        new("t", System.Net.IPAddress.Loopback, SimulatorOptions.DefaultUsers);

    private static (SimulatedBmc, PacketRouter, InProcessConsole) LoggedIn(int suite, IpmiPrivilege privilege = IpmiPrivilege.Administrator,
                                                                          string user = "admin", string password = "password")
    {
        var bmc = NewBmc();
        var router = new PacketRouter(bmc, new SessionLimits(), TimeProvider.System);
        var console = new InProcessConsole(router, CipherSuite.Find(suite)!, user, password);
        console.Login(privilege);
        return (bmc, router, console);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(17)]
    public void RetransmittedPowerCycle_RunsOnce(int suite)
    {
        var (bmc, _, console) = LoggedIn(suite);
        bmc.Apply(PowerAction.On);
        Assert.Equal(0, console.Command(0x00, 0x02, [0x02], rqSeq: 5).CompletionCode);
        Assert.Equal(0, console.Command(0x00, 0x02, [0x02], rqSeq: 5).CompletionCode); // same rqSeq: a retransmission
        Assert.Equal(3, bmc.PowerTransitions); // on, then one cycle (off + on)
    }

    [Fact]
    public void RetransmittedRakp3_WithANewTag_GetsRakp4WithThatTag()
    {
        // FreeIPMI's ipmipower retags every retransmission and ignores answers that echo an older tag.
        var (_, _, console) = LoggedIn(3);
        var reply = console.Send(SessionPacket.EncodeUnauthenticated(PayloadType.Rakp3, new Rakp3(0x42, 0, console.BmcSessionId, []).Encode()));
        Assert.True(SessionPacket.TryDecode(reply, null, null, out var packet, out _));
        Assert.True(Rakp4.TryDecode(packet.Payload, out var rakp4));
        Assert.Equal((0x42, 0), (rakp4!.MessageTag, rakp4.Status));
    }

    [Fact]
    public void ReplayedPacket_IsDropped()
    {
        var (_, _, console) = LoggedIn(3);
        var packet = console.Packet(0x00, 0x01, [], seq: 10);
        Assert.NotNull(console.Send(packet));
        Assert.Null(console.Send(packet));
    }

    [Fact]
    public void OperatorSession_CannotRaiseToAdministrator()
    {
        var (_, _, console) = LoggedIn(3, IpmiPrivilege.Operator, "operator", "operpass");
        Assert.Equal(CompletionCodes.PrivilegeAboveLimit, console.Command(0x06, 0x3B, [0x04], rqSeq: 9).CompletionCode);
    }

    [Fact]
    public void UnknownCommand_IsInvalidCommand()
    {
        var (_, _, console) = LoggedIn(17);
        Assert.Equal(0xC1, console.Command(0x2C, 0x00, [0x00], rqSeq: 7).CompletionCode);
    }

    [Fact]
    public void CloseSession_EndsTheSession()
    {
        var (_, router, console) = LoggedIn(3);
        var id = BitConverter.GetBytes(console.BmcSessionId);
        Assert.Equal(0, console.Command(0x06, 0x3C, id, rqSeq: 8).CompletionCode);
        Assert.Equal(0, router.SessionCount);
        Assert.Null(console.Send(console.Packet(0x00, 0x01, [])));
    }

    [Fact]
    public void SessionTable_Full_RefusesOpenSessionWithStatus01()
    {
        var router = new PacketRouter(NewBmc(), new SessionLimits { MaxSessions = 1 }, TimeProvider.System);
        new InProcessConsole(router, CipherSuite.Suite3).Login();
        var reply = router.Route(SessionPacket.EncodeUnauthenticated(PayloadType.OpenSessionRequest,
            OpenSessionRequest.For(CipherSuite.Suite3, 1, 0, 77).Encode()), new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 1));
        Assert.True(SessionPacket.TryDecode(reply, null, null, out var packet, out _));
        Assert.True(OpenSessionResponse.TryDecode(packet.Payload, out var response));
        Assert.Equal(0x01, response!.Status);
    }

    [Fact]
    public void IdleSession_IsForgottenAfterTheTimeout()
    {
        var clock = new ManualClock();
        var router = new PacketRouter(NewBmc(), new SessionLimits { IdleTimeout = TimeSpan.FromSeconds(60) }, clock);
        var console = new InProcessConsole(router, CipherSuite.Suite3);
        console.Login();
        clock.Now += TimeSpan.FromSeconds(59);
        Assert.NotNull(console.Send(console.Packet(0x00, 0x01, [], rqSeq: 2)));
        clock.Now += TimeSpan.FromSeconds(61);
        Assert.Null(console.Send(console.Packet(0x00, 0x01, [], rqSeq: 3)));
        Assert.Equal(0, router.SessionCount);
    }

    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void SequenceWindow_AcceptsEachNumberOnceAndOnlyNearTheHighest()
    {
        var window = new SequenceWindow();
        Assert.False(window.Accept(0));
        Assert.True(window.Accept(10));
        Assert.True(window.Accept(8)); // late but new
        Assert.False(window.Accept(8));
        Assert.False(window.Accept(10));
        Assert.True(window.Accept(40));
        Assert.False(window.Accept(8)); // now too old
        Assert.False(window.Accept(1000)); // too far ahead
    }

    [Theory]
    [InlineData(3)]
    [InlineData(17)]
    public void MutatedPackets_NeverThrow_AndTheSessionStillWorks(int suite)
    {
        var (_, router, console) = LoggedIn(suite);
        var seeds = console.Sent.Concat([console.Packet(0x00, 0x02, [0x01]), console.Packet(0x00, 0x08, [0x05, 0x80, 0x04, 0, 0, 0])]).ToList();
        var random = new Random(suite);
        for (var i = 0; i < 5000; i++)
            router.Route(Mutate(seeds[random.Next(seeds.Count)], random), new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 2));
        Assert.Equal(0, console.Command(0x00, 0x01, [], rqSeq: 33).CompletionCode);
    }

    internal static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = (byte[])seed.Clone();
        switch (random.Next(4))
        {
            case 0: return bytes[..random.Next(bytes.Length + 1)]; // truncated
            case 1:
                for (var n = random.Next(1, 4); n > 0; n--) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return bytes; // bit flips
            case 2:
                var junk = new byte[random.Next(0, 300)];
                random.NextBytes(junk);
                return junk; // random
            default:
                random.NextBytes(bytes.AsSpan(4 + random.Next(Math.Max(1, bytes.Length - 4))));
                return bytes; // valid RMCP header, random tail
        }
    }
}
