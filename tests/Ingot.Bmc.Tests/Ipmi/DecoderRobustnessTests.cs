using Ingot.Bmc.Ipmi;

namespace Ingot.Bmc.Tests.Ipmi;

/// <summary>Property-style: thousands of random, truncated and bit-flipped datagrams never make a decoder throw.
/// A receive loop shared by every session must survive anything the network hands it.</summary>
public sealed class DecoderRobustnessTests
{
    private const int Cases = 5000;

    private static IEnumerable<byte[]> ValidDatagrams()
    {
        var s3 = CipherSuite.Suite3;
        var s17 = CipherSuite.Suite17;
        var request = new IpmiRequest(0x00, 0x01, 3, [1, 2, 3]).Encode();
        yield return SessionPacket.EncodeSession(PayloadType.IpmiMessage, 5, 6, request, s3, SessionPacketTests.Keys(s3));
        yield return SessionPacket.EncodeSession(PayloadType.IpmiMessage, 5, 6, request, s17, SessionPacketTests.Keys(s17));
        yield return SessionPacket.EncodeIpmi15(GetChannelAuthCapabilities.Request(1, 4).Encode());
        yield return SessionPacket.EncodeUnauthenticated(PayloadType.OpenSessionRequest, OpenSessionRequest.For(s3, 1, 4, 9).Encode());
        yield return SessionPacket.EncodeUnauthenticated(PayloadType.Rakp2, new Rakp2(1, 0, 9, new byte[16], new byte[16], new byte[20]).Encode());
        yield return SessionPacket.EncodeUnauthenticated(PayloadType.Rakp4, new Rakp4(1, 0, 9, new byte[12]).Encode());
    }

    private static IEnumerable<byte[]> Mutants(Random random)
    {
        var valid = ValidDatagrams().ToArray();
        for (var i = 0; i < Cases; i++)
        {
            var source = (byte[])valid[random.Next(valid.Length)].Clone();
            switch (i % 4)
            {
                case 0:
                    yield return source[..random.Next(source.Length + 1)];
                    break;
                case 1:
                    for (var flips = random.Next(1, 4); flips > 0; flips--) source[random.Next(source.Length)] ^= (byte)(1 << random.Next(8));
                    yield return source;
                    break;
                case 2:
                    // Keep a valid-looking RMCP header so the deeper parsers are reached, then noise.
                    var noise = new byte[random.Next(0, 120)];
                    random.NextBytes(noise);
                    yield return [.. source[..Math.Min(source.Length, random.Next(4, 17))], .. noise];
                    break;
                default:
                    var junk = new byte[random.Next(0, 200)];
                    random.NextBytes(junk);
                    yield return junk;
                    break;
            }
        }
    }

    [Fact]
    public void SessionPacketDecoding_NeverThrows()
    {
        var random = new Random(1234);
        var suites = new[] { CipherSuite.Suite3, CipherSuite.Suite17 };
        foreach (var datagram in Mutants(random))
        {
            SessionPacket.TryPeek(datagram, out _, out _, out _);
            SessionPacket.TryDecode(datagram, null, null, out _, out _);
            foreach (var suite in suites)
                if (SessionPacket.TryDecode(datagram, suite, SessionPacketTests.Keys(suite), out var packet, out _))
                    DecodeEveryMessage(packet.Payload);
        }
    }

    [Fact]
    public void MessageDecoding_NeverThrows()
    {
        var random = new Random(99);
        for (var i = 0; i < Cases; i++)
        {
            var data = new byte[random.Next(0, 80)];
            random.NextBytes(data);
            DecodeEveryMessage(data);
            for (var cut = 0; cut <= data.Length; cut += 7) DecodeEveryMessage(data[..cut]);
        }
    }

    [Fact]
    public void FlippedBitsInAuthenticatedPackets_AreNeverAccepted()
    {
        var random = new Random(7);
        var suite = CipherSuite.Suite3;
        var keys = SessionPacketTests.Keys(suite);
        var datagram = SessionPacket.EncodeSession(PayloadType.IpmiMessage, 5, 6, new IpmiRequest(0, 1, 3, []).Encode(), suite, keys);
        for (var i = 0; i < Cases; i++)
        {
            var copy = (byte[])datagram.Clone();
            copy[random.Next(4, copy.Length)] ^= (byte)(1 << random.Next(8));
            Assert.False(SessionPacket.TryDecode(copy, suite, keys, out _, out _));
        }
    }

    private static void DecodeEveryMessage(byte[] data)
    {
        OpenSessionRequest.TryDecode(data, out _);
        OpenSessionResponse.TryDecode(data, out _);
        Rakp1.TryDecode(data, out _);
        Rakp2.TryDecode(data, out _);
        Rakp3.TryDecode(data, out _);
        Rakp4.TryDecode(data, out _);
        IpmiRequest.TryDecode(data, out _);
        IpmiResponse.TryDecode(data, out _);
        ChannelAuthCapabilities.TryDecode(data, out _);
    }
}
