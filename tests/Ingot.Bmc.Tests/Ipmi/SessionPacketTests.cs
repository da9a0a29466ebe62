using System.Security.Cryptography;
using Ingot.Bmc.Ipmi;

namespace Ingot.Bmc.Tests.Ipmi;

public sealed class SessionPacketTests
{
    internal static SessionKeys Keys(CipherSuite suite) =>
        SessionKeys.Derive(suite, "password"u8, new byte[16], Enumerable.Repeat((byte)7, 16).ToArray(), 0x14, "admin"u8);

    public static TheoryData<int> Suites => [2, 3, 17];

    [Theory, MemberData(nameof(Suites))]
    public void EncodeSession_RoundTrips(int id)
    {
        var suite = CipherSuite.Find(id)!;
        var keys = Keys(suite);
        var message = new IpmiRequest(0x00, 0x01, 5, []).Encode();
        var datagram = SessionPacket.EncodeSession(PayloadType.IpmiMessage, 0x01020304, 77, message, suite, keys);
        Assert.True(SessionPacket.TryDecode(datagram, suite, keys, out var packet, out var error), error);
        Assert.Equal(message, packet.Payload);
        Assert.Equal((false, 0x01020304u, 77u, true), (packet.Ipmi15, packet.SessionId, packet.Sequence, packet.Authenticated));
        Assert.Equal(suite.Confidentiality == ConfidentialityAlgorithm.AesCbc128, packet.Encrypted);
    }

    [Theory, MemberData(nameof(Suites))]
    public void IntegrityTrailer_IsTheTruncatedHmacOverAuthTypeToNextHeader(int id)
    {
        var suite = CipherSuite.Find(id)!;
        var keys = Keys(suite);
        for (var length = 0; length < 40; length++)
        {
            var datagram = SessionPacket.EncodeSession(PayloadType.IpmiMessage, 1, 1, new byte[length], suite, keys);
            var codeLength = id == 17 ? 16 : 12;
            var covered = datagram.AsSpan(4, datagram.Length - 4 - codeLength);
            Assert.Equal(0, covered.Length % 4);
            Assert.Equal(0x07, covered[^1]);
            var full = id == 17 ? HMACSHA256.HashData(keys.K1, covered) : HMACSHA1.HashData(keys.K1, covered);
            Assert.Equal(full[..codeLength], datagram[^codeLength..]);
        }
    }

    [Fact]
    public void AesPayload_IsIvThenCiphertextOfDataAndTheSpecPad()
    {
        var suite = CipherSuite.Suite3;
        var keys = Keys(suite);
        byte[] message = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        var datagram = SessionPacket.EncodeSession(PayloadType.IpmiMessage, 1, 1, message, suite, keys);
        var length = datagram[14] | datagram[15] << 8;
        Assert.Equal(32, length);
        using var aes = Aes.Create();
        aes.Key = keys.K2[..16];
        var plain = aes.DecryptCbc(datagram.AsSpan(32, 16), datagram.AsSpan(16, 16), PaddingMode.None);
        Assert.Equal([.. message, 1, 2, 3, 4, 5, 5], plain);
    }

    [Fact]
    public void AnyChangedByte_AfterTheRmcpHeader_IsRefused()
    {
        var suite = CipherSuite.Suite3;
        var keys = Keys(suite);
        var datagram = SessionPacket.EncodeSession(PayloadType.IpmiMessage, 9, 9, [1, 2, 3, 4, 5, 6, 7], suite, keys);
        for (var i = 4; i < datagram.Length; i++)
        {
            var copy = (byte[])datagram.Clone();
            copy[i] ^= 0x01;
            Assert.False(SessionPacket.TryDecode(copy, suite, keys, out _, out _), $"byte {i} flipped and accepted");
        }
        var otherKeys = SessionKeys.Derive(suite, "other"u8, new byte[16], new byte[16], 0x14, "admin"u8);
        Assert.False(SessionPacket.TryDecode(datagram, suite, otherKeys, out _, out var error));
        Assert.Equal("integrity check failed", error);
    }

    [Fact]
    public void ProtectedPacket_WithoutSessionKeys_IsRefused()
    {
        var datagram = SessionPacket.EncodeSession(PayloadType.IpmiMessage, 9, 9, [1], CipherSuite.Suite3, Keys(CipherSuite.Suite3));
        Assert.False(SessionPacket.TryDecode(datagram, null, null, out _, out var error));
        Assert.Equal("protected packet outside a session", error);
    }

    [Fact]
    public void UnauthenticatedAndIpmi15Packets_RoundTrip()
    {
        var payload = new Rakp4(1, 0, 5, new byte[12]).Encode();
        var datagram = SessionPacket.EncodeUnauthenticated(PayloadType.Rakp4, payload);
        Assert.Equal([0x06, 0x00, 0xFF, 0x07, 0x06, 0x15], datagram[..6]);
        Assert.True(SessionPacket.TryDecode(datagram, null, null, out var packet, out _));
        Assert.Equal((PayloadType.Rakp4, 0u, false, false), (packet.Type, packet.SessionId, packet.Encrypted, packet.Authenticated));
        Assert.Equal(payload, packet.Payload);

        var message = GetChannelAuthCapabilities.Request(1, 4).Encode();
        var legacy = SessionPacket.EncodeIpmi15(message);
        Assert.Equal(14 + message.Length, legacy.Length);
        Assert.True(SessionPacket.TryDecode(legacy, null, null, out var p15, out _));
        Assert.True(p15.Ipmi15);
        Assert.Equal(message, p15.Payload);
    }
}
