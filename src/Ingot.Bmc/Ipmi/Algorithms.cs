namespace Ingot.Bmc.Ipmi;

/// <summary>RMCP+ payload types (IPMI 2.0 §13.27.3), the low six bits of the payload-type byte.</summary>
public enum PayloadType : byte
{
    IpmiMessage = 0x00,
    OpenSessionRequest = 0x10,
    OpenSessionResponse = 0x11,
    Rakp1 = 0x12,
    Rakp2 = 0x13,
    Rakp3 = 0x14,
    Rakp4 = 0x15,
}

/// <summary>Authentication (key exchange) algorithms (IPMI 2.0 §13.28).</summary>
public enum AuthAlgorithm : byte { None = 0, HmacSha1 = 1, HmacMd5 = 2, HmacSha256 = 3 }

/// <summary>Integrity algorithms (IPMI 2.0 §13.28.4).</summary>
public enum IntegrityAlgorithm : byte { None = 0, HmacSha1_96 = 1, HmacMd5_128 = 2, Md5_128 = 3, HmacSha256_128 = 4 }

/// <summary>Confidentiality algorithms (IPMI 2.0 §13.28.5). Only AES-CBC-128 is implemented.</summary>
public enum ConfidentialityAlgorithm : byte { None = 0, AesCbc128 = 1 }
