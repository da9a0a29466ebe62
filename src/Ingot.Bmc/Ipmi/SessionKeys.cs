namespace Ingot.Bmc.Ipmi;

/// <summary>The keys of one RMCP+ session (IPMI 2.0 §13.31–13.32): the session integrity key, K1 (integrity)
/// and K2 (confidentiality; AES-128 uses its first 16 bytes).</summary>
public sealed class SessionKeys(byte[] sik, byte[] k1, byte[] k2)
{
    public byte[] Sik { get; } = sik;
    public byte[] K1 { get; } = k1;
    public byte[] K2 { get; } = k2;

    /// <summary>SIK = HMAC_KG(Rm | Rc | ROLEm | ULENGTHm | UNAMEm); Kn = HMAC_SIK(n repeated over the hash length).
    /// KG is the BMC key, or the user's password when the BMC has none (the usual case).</summary>
    /// <param name="rm">The remote console's random number (16 bytes).</param>
    /// <param name="rc">The managed system's random number (16 bytes).</param>
    /// <param name="role">The requested-privilege byte exactly as sent in RAKP 1.</param>
    public static SessionKeys Derive(CipherSuite suite, ReadOnlySpan<byte> kg, ReadOnlySpan<byte> rm, ReadOnlySpan<byte> rc,
                                     byte role, ReadOnlySpan<byte> userName)
    {
        var data = new byte[rm.Length + rc.Length + 2 + userName.Length];
        rm.CopyTo(data);
        rc.CopyTo(data.AsSpan(rm.Length));
        data[rm.Length + rc.Length] = role;
        data[rm.Length + rc.Length + 1] = (byte)userName.Length;
        userName.CopyTo(data.AsSpan(rm.Length + rc.Length + 2));
        var sik = suite.AuthHmac(kg, data);
        return new SessionKeys(sik, DeriveConstantKey(suite, sik, 0x01), DeriveConstantKey(suite, sik, 0x02));
    }

    private static byte[] DeriveConstantKey(CipherSuite suite, byte[] sik, byte constant)
    {
        // The constant is 20 bytes for every suite, SHA256 (suite 17) included: IPMI 2.0 §13.32 defines Const 1/2
        // as 20 bytes, and ipmitool 1.8.19 and FreeIPMI 1.6.10 both key K1/K2 that way (a 32-byte constant made
        // every suite-17 session with them fail at the first integrity-checked packet; Ingot.Simulator.Tests'
        // IpmitoolTests/FreeIpmiTests with suite 17).
        var block = new byte[20];
        Array.Fill(block, constant);
        return suite.AuthHmac(sik, block);
    }
}
