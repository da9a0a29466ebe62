using Ingot.Bmc;
using Ingot.Bmc.Ipmi;

namespace Ingot.Bmc.Tests.Ipmi;

/// <summary>Every session-setup and LAN message survives encode → decode, and the byte layouts match IPMI 2.0.</summary>
public sealed class MessageCodecTests
{
    private static byte[] Bytes(int length, byte seed) => [.. Enumerable.Range(0, length).Select(i => (byte)(seed + i))];

    [Fact]
    public void OpenSessionRequest_RoundTrips_AndIs32BytesWithAlgorithmRecords()
    {
        var request = OpenSessionRequest.For(CipherSuite.Suite17, 7, 4, 0xA1B2C3D4);
        var bytes = request.Encode();
        Assert.Equal(32, bytes.Length);
        Assert.Equal([0xD4, 0xC3, 0xB2, 0xA1], bytes[4..8]);
        Assert.Equal([0x00, 0, 0, 8, 3, 0, 0, 0], bytes[8..16]);
        Assert.Equal([0x01, 0, 0, 8, 4, 0, 0, 0], bytes[16..24]);
        Assert.Equal([0x02, 0, 0, 8, 1, 0, 0, 0], bytes[24..32]);
        Assert.True(OpenSessionRequest.TryDecode(bytes, out var decoded));
        Assert.Equal(request, decoded);
    }

    [Fact]
    public void OpenSessionResponse_RoundTrips()
    {
        var response = new OpenSessionResponse(7, 0, 4, 0x01020304, 0x0A0B0C0D, AuthAlgorithm.HmacSha1,
                                               IntegrityAlgorithm.HmacSha1_96, ConfidentialityAlgorithm.AesCbc128);
        var bytes = response.Encode();
        Assert.Equal(36, bytes.Length);
        Assert.True(OpenSessionResponse.TryDecode(bytes, out var decoded));
        Assert.Equal(response, decoded);
    }

    [Fact]
    public void OpenSessionResponse_RefusalCutShortLikeIpmiSim_Decodes()
    {
        // ipmi_sim's answer to a cipher suite 17 proposal: tag 1, status 0x04, nothing else.
        Assert.True(OpenSessionResponse.TryDecode([0x01, 0x04], out var decoded));
        Assert.Equal(0x04, decoded!.Status);
        Assert.True(RmcpStatusCodes.IsCipherMismatch(decoded.Status));
    }

    [Fact]
    public void Rakp1_RoundTrips()
    {
        var message = new Rakp1(3, 0x11223344, Bytes(16, 1), 0x14, "admin"u8.ToArray());
        var bytes = message.Encode();
        Assert.Equal(28 + 5, bytes.Length);
        Assert.True(Rakp1.TryDecode(bytes, out var decoded));
        Assert.Equal((message.MessageTag, message.BmcSessionId, message.RequestedRole), (decoded!.MessageTag, decoded.BmcSessionId, decoded.RequestedRole));
        Assert.Equal(message.ConsoleRandom, decoded.ConsoleRandom);
        Assert.Equal(message.UserName, decoded.UserName);
    }

    [Fact]
    public void Rakp2_RoundTrips()
    {
        var message = new Rakp2(3, 0, 0x55667788, Bytes(16, 10), Bytes(16, 40), Bytes(20, 90));
        Assert.True(Rakp2.TryDecode(message.Encode(), out var decoded));
        Assert.Equal((message.MessageTag, message.Status, message.ConsoleSessionId), (decoded!.MessageTag, decoded.Status, decoded.ConsoleSessionId));
        Assert.Equal(message.BmcRandom, decoded.BmcRandom);
        Assert.Equal(message.BmcGuid, decoded.BmcGuid);
        Assert.Equal(message.AuthCode, decoded.AuthCode);
    }

    [Fact]
    public void Rakp3_AndRakp4_RoundTrip()
    {
        var rakp3 = new Rakp3(9, 0, 0x01020304, Bytes(32, 7));
        Assert.True(Rakp3.TryDecode(rakp3.Encode(), out var d3));
        Assert.Equal((rakp3.MessageTag, rakp3.Status, rakp3.BmcSessionId), (d3!.MessageTag, d3.Status, d3.BmcSessionId));
        Assert.Equal(rakp3.AuthCode, d3.AuthCode);
        var rakp4 = new Rakp4(9, 0, 0x0A0B0C0D, Bytes(12, 3));
        Assert.True(Rakp4.TryDecode(rakp4.Encode(), out var d4));
        Assert.Equal((rakp4.MessageTag, rakp4.Status, rakp4.ConsoleSessionId), (d4!.MessageTag, d4.Status, d4.ConsoleSessionId));
        Assert.Equal(rakp4.IntegrityCheck, d4.IntegrityCheck);
    }

    [Fact]
    public void GetDeviceIdRequest_HasTheSpecChecksums()
    {
        // rsAddr 0x20, NetFn App << 2 = 0x18, checksum 0xC8; rqAddr 0x81, rqSeq 1 << 2, cmd 0x01, checksum 0x7A.
        var bytes = new IpmiRequest(0x06, 0x01, 1, []).Encode();
        Assert.Equal([0x20, 0x18, 0xC8, 0x81, 0x04, 0x01, 0x7A], bytes);
        Assert.True(IpmiRequest.TryDecode(bytes, out var decoded));
        Assert.Equal((byte)0x06, decoded!.NetFn);
    }

    [Fact]
    public void IpmiResponse_RoundTrips_AndBadChecksumsAreRefused()
    {
        var request = new IpmiRequest(0x00, 0x01, 42, [1, 2]);
        var response = IpmiResponse.To(request, 0, [0x01, 0x10, 0x40, 0x70]);
        var bytes = response.Encode();
        Assert.Equal(0x81, bytes[0]);
        Assert.Equal(0x20, bytes[3]);
        Assert.True(IpmiResponse.TryDecode(bytes, out var decoded));
        Assert.Equal((byte)0x01, decoded!.NetFn);
        Assert.Equal((response.Command, response.Sequence, response.CompletionCode), (decoded.Command, decoded.Sequence, decoded.CompletionCode));
        Assert.Equal(response.Data, decoded.Data);
        bytes[^2] ^= 1;
        Assert.False(IpmiResponse.TryDecode(bytes, out _));
        Assert.True(IpmiRequest.TryDecode(request.Encode(), out var r));
        Assert.Equal(request.Data, r!.Data);
    }

    [Fact]
    public void ChannelAuthCapabilities_RoundTrip_AndRequestAsksForIpmi20Data()
    {
        var request = GetChannelAuthCapabilities.Request(5, 4);
        Assert.Equal([0x8E, 0x04], request.Data);
        var caps = new ChannelAuthCapabilities(1, 0x97, 0x04, 0x03, 0x001291, 0);
        Assert.True(ChannelAuthCapabilities.TryDecode(caps.Encode(), out var decoded));
        Assert.Equal(caps, decoded);
        Assert.True(decoded!.SupportsIpmi20);
    }

    [Theory]
    [InlineData(BootDevice.Pxe, false, false, 0x80, 0x04)]
    [InlineData(BootDevice.Disk, true, false, 0xC0, 0x08)]
    [InlineData(BootDevice.BiosSetup, false, true, 0xA0, 0x18)]
    [InlineData(BootDevice.Pxe, true, true, 0xE0, 0x04)]
    [InlineData(BootDevice.None, false, false, 0x80, 0x00)]
    public void BootFlags_FollowParameter5(BootDevice device, bool persistent, bool uefi, byte flags, byte selector)
    {
        var settings = new BootSettings(device, persistent, uefi);
        var bytes = BootFlags.Encode(settings);
        Assert.Equal([flags, selector, 0, 0, 0], bytes);
        Assert.Equal(settings, BootFlags.Decode(bytes));
    }

    [Fact]
    public void BootFlags_WithoutTheValidBit_StillNameTheirDevice()
    {
        // What ipmi_sim reads back after "bootdev pxe": the device is kept, the valid bit is not (LABS.md). Judging
        // that is BootConfirmation's job, so the decoder reports both.
        Assert.Equal(new BootSettings(BootDevice.Pxe, Valid: false), BootFlags.Decode([0x00, 0x04, 0, 0, 0]));
        Assert.Equal(new BootSettings(BootDevice.None, Valid: false), BootFlags.Decode([0x00, 0x00, 0, 0, 0]));
    }

    [Theory]
    [InlineData(0x00, "command completed normally")]
    [InlineData(0xC1, "invalid command")]
    [InlineData(0xCC, "invalid data field in request")]
    [InlineData(0xD4, "insufficient privilege level")]
    [InlineData(0x80, "command-specific completion code")]
    public void CompletionCodes_HaveTheirStandardMeaning(byte code, string meaning) => Assert.Equal(meaning, CompletionCodes.Describe(code));

    [Fact]
    public void CipherSuites_3And17_HaveTheSpecAlgorithmsAndLengths()
    {
        var s3 = CipherSuite.Find(3)!;
        Assert.Equal((AuthAlgorithm.HmacSha1, IntegrityAlgorithm.HmacSha1_96, ConfidentialityAlgorithm.AesCbc128), (s3.Auth, s3.Integrity, s3.Confidentiality));
        Assert.Equal((20, 12, 12), (s3.AuthCodeLength, s3.Rakp4IcvLength, s3.IntegrityCodeLength));
        var s17 = CipherSuite.Find(17)!;
        Assert.Equal((AuthAlgorithm.HmacSha256, IntegrityAlgorithm.HmacSha256_128, ConfidentialityAlgorithm.AesCbc128), (s17.Auth, s17.Integrity, s17.Confidentiality));
        Assert.Equal((32, 16, 16), (s17.AuthCodeLength, s17.Rakp4IcvLength, s17.IntegrityCodeLength));
        Assert.Null(CipherSuite.Find(8));
    }
}
