using System.Net;
using System.Security.Cryptography;
using System.Text;
using Ingot.Bmc;
using Ingot.Bmc.Ipmi;
using Ingot.Simulator.Ipmi;

namespace Ingot.Simulator.Tests.Ipmi;

/// <summary>A minimal console that drives a <see cref="PacketRouter"/> directly (no sockets) through the RMCP+
/// handshake with the shared codec, so tests can reach the in-session code paths and build valid packets to mutate.</summary>
internal sealed class InProcessConsole(PacketRouter router, CipherSuite suite, string user = "admin", string password = "password")
{
    private static readonly EndPoint Peer = new IPEndPoint(IPAddress.Loopback, 40000);
    private readonly byte[] consoleRandom = RandomNumberGenerator.GetBytes(16);
    private uint sequence;

    public uint ConsoleSessionId { get; } = 0xC0DE0001;
    public uint BmcSessionId { get; private set; }
    public SessionKeys? Keys { get; private set; }

    /// <summary>Every datagram the console sent, for mutation tests.</summary>
    public List<byte[]> Sent { get; } = [];

    public byte[]? Send(byte[] datagram)
    {
        Sent.Add(datagram);
        return router.Route(datagram, Peer);
    }

    public void Login(IpmiPrivilege privilege = IpmiPrivilege.Administrator)
    {
        var open = Decode(Send(SessionPacket.EncodeUnauthenticated(PayloadType.OpenSessionRequest,
            OpenSessionRequest.For(suite, 1, 0, ConsoleSessionId).Encode())));
        Assert.True(OpenSessionResponse.TryDecode(open.Payload, out var opened) && opened!.Status == 0);
        BmcSessionId = opened.BmcSessionId;
        var role = (byte)(0x10 | (byte)privilege);
        var name = Encoding.UTF8.GetBytes(user);
        var two = Decode(Send(SessionPacket.EncodeUnauthenticated(PayloadType.Rakp1,
            new Rakp1(2, BmcSessionId, consoleRandom, role, name).Encode())));
        Assert.True(Rakp2.TryDecode(two.Payload, out var rakp2) && rakp2!.Status == 0);
        var pw = Encoding.UTF8.GetBytes(password);
        var code = Rakp.Rakp3AuthCode(suite, pw, rakp2.BmcRandom, ConsoleSessionId, role, name);
        var four = Decode(Send(SessionPacket.EncodeUnauthenticated(PayloadType.Rakp3, new Rakp3(3, 0, BmcSessionId, code).Encode())));
        Assert.True(Rakp4.TryDecode(four.Payload, out var rakp4) && rakp4!.Status == 0);
        Keys = SessionKeys.Derive(suite, pw, consoleRandom, rakp2.BmcRandom, role, name);
        Assert.Equal(0, Command(0x06, 0x3B, [(byte)privilege]).CompletionCode);
    }

    /// <summary>Sends one command in the session and returns the answer (the test fails if there is none).</summary>
    public IpmiResponse Command(byte netFn, byte command, byte[] data, byte rqSeq = 1)
    {
        var reply = Send(Packet(netFn, command, data, rqSeq)) ?? throw new Xunit.Sdk.XunitException("no answer");
        Assert.True(SessionPacket.TryDecode(reply, suite, Keys, out var packet, out var error), error);
        Assert.True(IpmiResponse.TryDecode(packet.Payload, out var response));
        return response!;
    }

    public byte[] Packet(byte netFn, byte command, byte[] data, byte rqSeq = 1, uint? seq = null) =>
        SessionPacket.EncodeSession(PayloadType.IpmiMessage, BmcSessionId, seq ?? ++sequence,
            new IpmiRequest(netFn, command, rqSeq, data).Encode(), suite, Keys!);

    private static DecodedPacket Decode(byte[]? datagram)
    {
        Assert.NotNull(datagram);
        Assert.True(SessionPacket.TryDecode(datagram, null, null, out var packet, out var error), error);
        return packet;
    }
}
