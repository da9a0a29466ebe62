using System.Security.Cryptography;

namespace Ingot.Bmc.Ipmi;

/// <summary>One IPMI 2.0 cipher suite (IPMI 2.0 table 22-20): the three algorithms a session uses.</summary>
public sealed record CipherSuite(int Id, AuthAlgorithm Auth, IntegrityAlgorithm Integrity, ConfidentialityAlgorithm Confidentiality)
{
    public static CipherSuite Suite1 { get; } = new(1, AuthAlgorithm.HmacSha1, IntegrityAlgorithm.None, ConfidentialityAlgorithm.None);
    public static CipherSuite Suite2 { get; } = new(2, AuthAlgorithm.HmacSha1, IntegrityAlgorithm.HmacSha1_96, ConfidentialityAlgorithm.None);
    public static CipherSuite Suite3 { get; } = new(3, AuthAlgorithm.HmacSha1, IntegrityAlgorithm.HmacSha1_96, ConfidentialityAlgorithm.AesCbc128);
    public static CipherSuite Suite17 { get; } = new(17, AuthAlgorithm.HmacSha256, IntegrityAlgorithm.HmacSha256_128, ConfidentialityAlgorithm.AesCbc128);

    /// <summary>The suites this code can run, strongest first (the order negotiation tries them in).
    /// 1 and 2 have no encryption; they are here for parsing and for lab BMCs, never chosen by negotiation.</summary>
    public static IReadOnlyList<CipherSuite> Supported { get; } = [Suite17, Suite3, Suite2, Suite1];

    /// <summary>The suites negotiation proposes, in order, when the target names none.</summary>
    public static IReadOnlyList<CipherSuite> Negotiable { get; } = [Suite17, Suite3];

    public static CipherSuite? Find(int id) => Supported.FirstOrDefault(s => s.Id == id);

    /// <summary>Length of the RAKP 2/3 key-exchange authentication code (the full HMAC).</summary>
    public int AuthCodeLength => Auth switch
    {
        AuthAlgorithm.HmacSha1 => 20,
        AuthAlgorithm.HmacMd5 => 16,
        AuthAlgorithm.HmacSha256 => 32,
        _ => 0,
    };

    /// <summary>Length of the RAKP 4 integrity check value: the auth algorithm's HMAC, truncated
    /// (IPMI 2.0 §13.31: 96 bits for SHA1, 128 for SHA256 and MD5).</summary>
    public int Rakp4IcvLength => Auth switch
    {
        AuthAlgorithm.HmacSha1 => 12,
        AuthAlgorithm.HmacMd5 => 16,
        AuthAlgorithm.HmacSha256 => 16,
        _ => 0,
    };

    /// <summary>Length of the AuthCode trailer on every authenticated session packet.</summary>
    public int IntegrityCodeLength => Integrity switch
    {
        IntegrityAlgorithm.HmacSha1_96 => 12,
        IntegrityAlgorithm.HmacSha256_128 => 16,
        IntegrityAlgorithm.HmacMd5_128 or IntegrityAlgorithm.Md5_128 => 16,
        _ => 0,
    };

    /// <summary>The HMAC of the authentication algorithm (RAKP codes, SIK, K1, K2).</summary>
    internal byte[] AuthHmac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data) => Auth switch
    {
        AuthAlgorithm.HmacSha1 => HMACSHA1.HashData(key, data),
        AuthAlgorithm.HmacMd5 => HMACMD5.HashData(key, data),
        AuthAlgorithm.HmacSha256 => HMACSHA256.HashData(key, data),
        _ => [],
    };

    /// <summary>The untruncated integrity HMAC over a session packet, keyed with K1.</summary>
    internal byte[] IntegrityHmac(ReadOnlySpan<byte> k1, ReadOnlySpan<byte> data) => Integrity switch
    {
        IntegrityAlgorithm.HmacSha1_96 => HMACSHA1.HashData(k1, data),
        IntegrityAlgorithm.HmacSha256_128 => HMACSHA256.HashData(k1, data),
        _ => throw new NotSupportedException($"integrity algorithm {Integrity} is not implemented"),
    };

    /// <summary>True when this code can run the suite end to end (MD5 integrity is not implemented).</summary>
    public bool IsImplemented =>
        Auth is AuthAlgorithm.HmacSha1 or AuthAlgorithm.HmacSha256 &&
        Integrity is IntegrityAlgorithm.None or IntegrityAlgorithm.HmacSha1_96 or IntegrityAlgorithm.HmacSha256_128;
}
