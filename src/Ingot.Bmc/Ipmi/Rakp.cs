namespace Ingot.Bmc.Ipmi;

/// <summary>The RAKP key-exchange authentication codes (IPMI 2.0 §13.31). Session ids are written
/// little-endian, as on the wire; the role is the whole requested-privilege byte of RAKP 1.</summary>
public static class Rakp
{
    /// <summary>HMAC_KUID(SIDm | SIDc | Rm | Rc | GUIDc | ROLEm | ULENGTHm | UNAMEm): the BMC proves it knows the password.</summary>
    public static byte[] Rakp2AuthCode(CipherSuite suite, ReadOnlySpan<byte> password, uint consoleSid, uint bmcSid,
                                       ReadOnlySpan<byte> rm, ReadOnlySpan<byte> rc, ReadOnlySpan<byte> guid, byte role,
                                       ReadOnlySpan<byte> userName)
    {
        var w = new ByteWriter(58 + userName.Length);
        w.U32(consoleSid).U32(bmcSid).Bytes(rm).Bytes(rc).Bytes(guid).U8(role).U8((byte)userName.Length).Bytes(userName);
        return suite.AuthHmac(password, w.Span);
    }

    /// <summary>HMAC_KUID(Rc | SIDm | ROLEm | ULENGTHm | UNAMEm): the console proves it knows the password.</summary>
    public static byte[] Rakp3AuthCode(CipherSuite suite, ReadOnlySpan<byte> password, ReadOnlySpan<byte> rc, uint consoleSid,
                                       byte role, ReadOnlySpan<byte> userName)
    {
        var w = new ByteWriter(22 + userName.Length);
        w.Bytes(rc).U32(consoleSid).U8(role).U8((byte)userName.Length).Bytes(userName);
        return suite.AuthHmac(password, w.Span);
    }

    /// <summary>HMAC_SIK(Rm | SIDc | GUIDc), truncated to <see cref="CipherSuite.Rakp4IcvLength"/>.</summary>
    public static byte[] Rakp4IntegrityCheck(CipherSuite suite, ReadOnlySpan<byte> sik, ReadOnlySpan<byte> rm, uint bmcSid,
                                             ReadOnlySpan<byte> guid)
    {
        var w = new ByteWriter(36);
        w.Bytes(rm).U32(bmcSid).Bytes(guid);
        return suite.AuthHmac(sik, w.Span)[..suite.Rakp4IcvLength];
    }
}
