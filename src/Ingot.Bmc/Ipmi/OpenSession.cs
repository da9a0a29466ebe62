namespace Ingot.Bmc.Ipmi;

/// <summary>RMCP+ Open Session Request (IPMI 2.0 §13.17): proposes one algorithm of each kind.</summary>
/// <param name="RequestedPrivilege">Maximum privilege level wanted (low nibble); 0 means "highest the proposal allows".</param>
public sealed record OpenSessionRequest(byte MessageTag, byte RequestedPrivilege, uint ConsoleSessionId,
                                        AuthAlgorithm Auth, IntegrityAlgorithm Integrity, ConfidentialityAlgorithm Confidentiality)
{
    public static OpenSessionRequest For(CipherSuite suite, byte tag, byte privilege, uint consoleSessionId) =>
        new(tag, privilege, consoleSessionId, suite.Auth, suite.Integrity, suite.Confidentiality);

    public byte[] Encode()
    {
        var w = new ByteWriter(32);
        w.U8(MessageTag).U8(RequestedPrivilege).Zeros(2).U32(ConsoleSessionId);
        AlgorithmRecord.Write(w, 0, (byte)Auth);
        AlgorithmRecord.Write(w, 1, (byte)Integrity);
        AlgorithmRecord.Write(w, 2, (byte)Confidentiality);
        return w.ToArray();
    }

    public static bool TryDecode(ReadOnlySpan<byte> data, out OpenSessionRequest? value)
    {
        value = null;
        var r = new ByteReader(data);
        if (!r.U8(out var tag) || !r.U8(out var privilege) || !r.Skip(2) || !r.U32(out var sid)) return false;
        if (!AlgorithmRecord.TryRead(ref r, 0, out var auth) || !AlgorithmRecord.TryRead(ref r, 1, out var integrity) ||
            !AlgorithmRecord.TryRead(ref r, 2, out var confidentiality)) return false;
        value = new(tag, privilege, sid, (AuthAlgorithm)auth, (IntegrityAlgorithm)integrity, (ConfidentialityAlgorithm)confidentiality);
        return true;
    }
}

/// <summary>RMCP+ Open Session Response (IPMI 2.0 §13.18). On a non-zero status only the first eight bytes
/// (tag, status, privilege, console session id) are meaningful, and a BMC may send only those.</summary>
public sealed record OpenSessionResponse(byte MessageTag, byte Status, byte MaxPrivilege, uint ConsoleSessionId, uint BmcSessionId,
                                         AuthAlgorithm Auth, IntegrityAlgorithm Integrity, ConfidentialityAlgorithm Confidentiality)
{
    public byte[] Encode()
    {
        var w = new ByteWriter(36);
        w.U8(MessageTag).U8(Status).U8(MaxPrivilege).Zeros(1).U32(ConsoleSessionId);
        if (Status != 0) return w.ToArray();
        w.U32(BmcSessionId);
        AlgorithmRecord.Write(w, 0, (byte)Auth);
        AlgorithmRecord.Write(w, 1, (byte)Integrity);
        AlgorithmRecord.Write(w, 2, (byte)Confidentiality);
        return w.ToArray();
    }

    public static bool TryDecode(ReadOnlySpan<byte> data, out OpenSessionResponse? value)
    {
        value = null;
        var r = new ByteReader(data);
        if (!r.U8(out var tag) || !r.U8(out var status)) return false;
        // OpenIPMI's ipmi_sim answers a refused proposal with tag and status only (2 bytes); accept any short error.
        if (status != 0 && data.Length < 36)
        {
            uint consoleSid = data.Length >= 8 ? (uint)(data[4] | data[5] << 8 | data[6] << 16 | data[7] << 24) : 0;
            byte privilege = data.Length >= 3 ? data[2] : (byte)0;
            value = new(tag, status, privilege, consoleSid, 0, AuthAlgorithm.None, IntegrityAlgorithm.None, ConfidentialityAlgorithm.None);
            return true;
        }
        if (!r.U8(out var maxPrivilege) || !r.Skip(1) || !r.U32(out var sid) || !r.U32(out var bmcSid) || !AlgorithmRecord.TryRead(ref r, 0, out var auth) ||
            !AlgorithmRecord.TryRead(ref r, 1, out var integrity) || !AlgorithmRecord.TryRead(ref r, 2, out var confidentiality))
            return false;
        value = new(tag, status, maxPrivilege, sid, bmcSid, (AuthAlgorithm)auth, (IntegrityAlgorithm)integrity,
                    (ConfidentialityAlgorithm)confidentiality);
        return true;
    }
}

/// <summary>The 8-byte algorithm records of Open Session: type, 2 reserved, length 8, algorithm, 3 reserved.</summary>
internal static class AlgorithmRecord
{
    public static void Write(ByteWriter w, byte type, byte algorithm) => w.U8(type).Zeros(2).U8(8).U8(algorithm).Zeros(3);

    public static bool TryRead(ref ByteReader r, byte expectedType, out byte algorithm)
    {
        algorithm = 0;
        if (!r.U8(out var type) || type != expectedType || !r.Skip(2) || !r.U8(out var length)) return false;
        if (length != 8 || !r.U8(out algorithm) || !r.Skip(3)) return false;
        algorithm &= 0x3F; // the top two bits are reserved
        return true;
    }
}
