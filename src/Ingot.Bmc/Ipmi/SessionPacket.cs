using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Ingot.Bmc.Ipmi;

/// <summary>One decoded datagram: its session header fields and the (decrypted, integrity-checked) payload.</summary>
public sealed record DecodedPacket(bool Ipmi15, PayloadType Type, uint SessionId, uint Sequence, bool Encrypted, bool Authenticated,
                                   byte[] Payload);

/// <summary>RMCP framing and the IPMI 1.5 / IPMI 2.0 (RMCP+) session wrappers (IPMI 2.0 §13.6, §13.28).</summary>
public static class SessionPacket
{
    /// <summary>RMCP version 1.0, reserved, sequence 0xFF (no RMCP ack wanted), class IPMI.</summary>
    private static ReadOnlySpan<byte> RmcpHeader => [0x06, 0x00, 0xFF, 0x07];

    private const byte AuthTypeRmcpPlus = 0x06;
    private const byte EncryptedBit = 0x80;
    private const byte AuthenticatedBit = 0x40;
    private const byte NextHeader = 0x07;
    private const int AesBlock = 16;

    /// <summary>An IPMI 1.5 packet with authentication type none and session 0: only for the pre-session
    /// Get Channel Authentication Capabilities.</summary>
    public static byte[] EncodeIpmi15(byte[] ipmiMessage)
    {
        if (ipmiMessage.Length > 255) throw new ArgumentException("an IPMI 1.5 message is at most 255 bytes", nameof(ipmiMessage));
        var w = new ByteWriter(14 + ipmiMessage.Length);
        w.Bytes(RmcpHeader).U8(0).U32(0).U32(0).U8((byte)ipmiMessage.Length).Bytes(ipmiMessage);
        return w.ToArray();
    }

    /// <summary>An RMCP+ packet outside a session (session id 0, sequence 0): Open Session and RAKP.</summary>
    public static byte[] EncodeUnauthenticated(PayloadType type, byte[] payload)
    {
        var w = new ByteWriter(16 + payload.Length);
        w.Bytes(RmcpHeader).U8(AuthTypeRmcpPlus).U8((byte)type).U32(0).U32(0).U16(checked((ushort)payload.Length)).Bytes(payload);
        return w.ToArray();
    }

    /// <summary>An RMCP+ packet inside an established session: encrypted when the suite has confidentiality,
    /// followed by the integrity trailer when it has integrity.</summary>
    /// <param name="sessionId">The receiver's session id (the BMC's when the console sends, and vice versa).</param>
    public static byte[] EncodeSession(PayloadType type, uint sessionId, uint sequence, byte[] payload, CipherSuite suite, SessionKeys keys)
    {
        var encrypted = suite.Confidentiality == ConfidentialityAlgorithm.AesCbc128;
        var authenticated = suite.Integrity != IntegrityAlgorithm.None;
        var body = encrypted ? Encrypt(payload, keys.K2) : payload;
        var flags = (byte)((byte)type | (encrypted ? EncryptedBit : 0) | (authenticated ? AuthenticatedBit : 0));
        var w = new ByteWriter(48 + body.Length);
        w.Bytes(RmcpHeader).U8(AuthTypeRmcpPlus).U8(flags).U32(sessionId).U32(sequence).U16(checked((ushort)body.Length)).Bytes(body);
        if (!authenticated) return w.ToArray();
        // The integrity pad makes AuthType..NextHeader a multiple of four bytes (IPMI 2.0 §13.28.3).
        var covered = w.Length - RmcpHeader.Length + 2;
        var pad = (4 - covered % 4) % 4;
        for (var i = 0; i < pad; i++) w.U8(0xFF);
        w.U8((byte)pad).U8(NextHeader);
        var code = suite.IntegrityHmac(keys.K1, w.Span[RmcpHeader.Length..]);
        w.Bytes(code.AsSpan(0, suite.IntegrityCodeLength));
        return w.ToArray();
    }

    /// <summary>Reads the session fields without checking or decrypting anything: what a receive loop needs to
    /// route a datagram to its session. False for anything that is not an IPMI-class RMCP packet.</summary>
    public static bool TryPeek(ReadOnlySpan<byte> datagram, out bool ipmi15, out PayloadType type, out uint sessionId)
    {
        ipmi15 = false;
        type = PayloadType.IpmiMessage;
        sessionId = 0;
        if (datagram.Length < 14 || datagram[0] != 0x06 || (datagram[3] & 0x1F) != 0x07) return false;
        ipmi15 = datagram[4] != AuthTypeRmcpPlus;
        if (ipmi15)
        {
            sessionId = BinaryPrimitives.ReadUInt32LittleEndian(datagram[9..]);
            return true;
        }
        if (datagram.Length < 16) return false;
        type = (PayloadType)(datagram[5] & 0x3F);
        sessionId = BinaryPrimitives.ReadUInt32LittleEndian(datagram[6..]);
        return true;
    }

    /// <summary>Why a datagram is no IPMI packet at all, judged by its framing alone (no session keys needed): not RMCP, an
    /// authentication type or payload type that does not exist for us, a length field longer than the datagram. Null when
    /// the framing holds (its contents may still fail <see cref="TryDecode"/>).</summary>
    public static string? FramingError(ReadOnlySpan<byte> d)
    {
        if (d.Length < 14 || d[0] != 0x06 || (d[3] & 0x1F) != 0x07) return "not an RMCP IPMI packet";
        if (d[4] != AuthTypeRmcpPlus)
            return d[4] != 0 ? $"IPMI 1.5 authentication type {d[4]} is not supported"
                : d.Length < 14 + d[13] ? "IPMI 1.5 message shorter than its length field" : null;
        if (d.Length < 16) return "RMCP+ session header cut short";
        var type = (PayloadType)(d[5] & 0x3F);
        if (!Enum.IsDefined(type)) return $"unsupported payload type 0x{(byte)type:x2}";
        return d.Length < 16 + BinaryPrimitives.ReadUInt16LittleEndian(d[14..]) ? "payload shorter than its length field" : null;
    }

    /// <summary>Decodes one datagram. Never throws: anything malformed, unauthenticated where it should not be,
    /// with a wrong integrity code or undecryptable, is false with a reason in <paramref name="error"/>.</summary>
    /// <param name="suite">The session's suite; null before a session exists (then authenticated packets are refused).</param>
    public static bool TryDecode(ReadOnlySpan<byte> datagram, CipherSuite? suite, SessionKeys? keys, out DecodedPacket packet, out string? error)
    {
        packet = new DecodedPacket(false, PayloadType.IpmiMessage, 0, 0, false, false, []);
        try
        {
            error = FramingError(datagram) ?? (datagram[4] != AuthTypeRmcpPlus
                ? DecodeIpmi15(datagram, ref packet)
                : DecodeRmcpPlus(datagram, suite, keys, ref packet));
        }
        catch (CryptographicException e)
        {
            // Wrong key lengths or similar from a caller's keys: still a bad packet, never an exception out of a receive loop.
            error = $"cryptographic failure: {e.Message}";
        }
        return error is null;
    }

    /// <summary>The framing has been checked (<see cref="FramingError"/>).</summary>
    private static string? DecodeIpmi15(ReadOnlySpan<byte> d, ref DecodedPacket packet)
    {
        var seq = BinaryPrimitives.ReadUInt32LittleEndian(d[5..]);
        var sid = BinaryPrimitives.ReadUInt32LittleEndian(d[9..]);
        int length = d[13]; // some BMCs append a legacy pad byte after the message (IPMI 1.5 §6.12.9): extra bytes are allowed
        packet = new DecodedPacket(true, PayloadType.IpmiMessage, sid, seq, false, false, d.Slice(14, length).ToArray());
        return null;
    }

    /// <summary>The framing has been checked (<see cref="FramingError"/>).</summary>
    private static string? DecodeRmcpPlus(ReadOnlySpan<byte> d, CipherSuite? suite, SessionKeys? keys, ref DecodedPacket packet)
    {
        var flags = d[5];
        var type = (PayloadType)(flags & 0x3F);
        var sid = BinaryPrimitives.ReadUInt32LittleEndian(d[6..]);
        var seq = BinaryPrimitives.ReadUInt32LittleEndian(d[10..]);
        int length = BinaryPrimitives.ReadUInt16LittleEndian(d[14..]);
        bool encrypted = (flags & EncryptedBit) != 0, authenticated = (flags & AuthenticatedBit) != 0;
        if ((encrypted || authenticated) && (suite is null || keys is null)) return "protected packet outside a session";
        if (authenticated && CheckTrailer(d, 16 + length, suite!, keys!) is { } trailerError) return trailerError;
        // Inside a session whose suite has integrity, an unauthenticated message could be forged by anyone.
        if (!authenticated && type == PayloadType.IpmiMessage && sid != 0 && suite?.Integrity is not (null or IntegrityAlgorithm.None))
            return "unauthenticated message in a session with integrity";
        var payload = d.Slice(16, length);
        byte[] plain;
        if (encrypted)
        {
            if (suite!.Confidentiality != ConfidentialityAlgorithm.AesCbc128) return "encrypted packet in a session without confidentiality";
            if (!TryDecrypt(payload, keys!.K2, out plain)) return "payload does not decrypt";
        }
        else
        {
            if (suite?.Confidentiality is ConfidentialityAlgorithm.AesCbc128 && type == PayloadType.IpmiMessage && sid != 0)
                return "unencrypted message in a session with confidentiality";
            plain = payload.ToArray();
        }
        packet = new DecodedPacket(false, type, sid, seq, encrypted, authenticated, plain);
        return null;
    }

    private static string? CheckTrailer(ReadOnlySpan<byte> d, int payloadEnd, CipherSuite suite, SessionKeys keys)
    {
        var codeLength = suite.IntegrityCodeLength;
        if (codeLength == 0) return "authenticated packet in a session without integrity";
        var nextHeaderAt = d.Length - codeLength - 1;
        if (nextHeaderAt < payloadEnd + 1) return "integrity trailer too short";
        var padLength = d[nextHeaderAt - 1];
        if (payloadEnd + padLength != nextHeaderAt - 1) return "integrity pad length does not match the packet";
        if (d[nextHeaderAt] != NextHeader) return "integrity trailer has a wrong next-header byte";
        var expected = suite.IntegrityHmac(keys.K1, d[RmcpHeader.Length..(nextHeaderAt + 1)]);
        return CryptographicOperations.FixedTimeEquals(expected.AsSpan(0, codeLength), d[(nextHeaderAt + 1)..])
            ? null : "integrity check failed";
    }

    private static byte[] Encrypt(byte[] payload, byte[] k2)
    {
        // Confidentiality pad 1, 2, 3, … then its length, so that data + pad + length fill whole AES blocks (§13.29).
        var padLength = (AesBlock - (payload.Length + 1) % AesBlock) % AesBlock;
        var plain = new byte[payload.Length + padLength + 1];
        payload.CopyTo(plain, 0);
        for (var i = 0; i < padLength; i++) plain[payload.Length + i] = (byte)(i + 1);
        plain[^1] = (byte)padLength;
        var iv = RandomNumberGenerator.GetBytes(AesBlock);
        using var aes = Aes.Create();
        aes.Key = k2[..16];
        var cipher = aes.EncryptCbc(plain, iv, PaddingMode.None);
        return [.. iv, .. cipher];
    }

    private static bool TryDecrypt(ReadOnlySpan<byte> payload, byte[] k2, out byte[] plain)
    {
        plain = [];
        if (payload.Length < 2 * AesBlock || payload.Length % AesBlock != 0 || k2.Length < 16) return false;
        using var aes = Aes.Create();
        aes.Key = k2[..16];
        var decrypted = aes.DecryptCbc(payload[AesBlock..], payload[..AesBlock], PaddingMode.None);
        var padLength = decrypted[^1];
        if (padLength >= AesBlock || padLength + 1 > decrypted.Length) return false;
        plain = decrypted[..(decrypted.Length - padLength - 1)];
        return true;
    }
}
