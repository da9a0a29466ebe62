namespace Ingot.Bmc.Ipmi;

/// <summary>RAKP Message 1 (IPMI 2.0 §13.20): console → BMC, the console's random number and the user.</summary>
/// <param name="RequestedRole">Privilege level in the low nibble; bit 4 set asks for name-only user lookup.</param>
public sealed record Rakp1(byte MessageTag, uint BmcSessionId, byte[] ConsoleRandom, byte RequestedRole, byte[] UserName)
{
    public byte[] Encode()
    {
        var w = new ByteWriter(44);
        w.U8(MessageTag).Zeros(3).U32(BmcSessionId).Bytes(Fixed(ConsoleRandom, 16)).U8(RequestedRole).Zeros(2)
         .U8((byte)UserName.Length).Bytes(UserName);
        return w.ToArray();
    }

    public static bool TryDecode(ReadOnlySpan<byte> data, out Rakp1? value)
    {
        value = null;
        var r = new ByteReader(data);
        if (!r.U8(out var tag) || !r.Skip(3) || !r.U32(out var sid) || !r.Bytes(16, out var random) || !r.U8(out var role) ||
            !r.Skip(2) || !r.U8(out var length) || length > 16 || !r.Bytes(length, out var name)) return false;
        value = new(tag, sid, random, role, name);
        return true;
    }

    /// <summary>The session id at bytes 4–7 of a possibly truncated error reply, or 0.</summary>
    internal static uint ShortSid(ReadOnlySpan<byte> data) =>
        data.Length >= 8 ? (uint)(data[4] | data[5] << 8 | data[6] << 16 | data[7] << 24) : 0;

    internal static ReadOnlySpan<byte> Fixed(byte[] value, int length) =>
        value.Length == length ? value : throw new ArgumentException($"expected {length} bytes, got {value.Length}");
}

/// <summary>RAKP Message 2 (IPMI 2.0 §13.21): BMC → console, the BMC's random number, GUID and its auth code.
/// On a non-zero status only tag, status and console session id are present.</summary>
public sealed record Rakp2(byte MessageTag, byte Status, uint ConsoleSessionId, byte[] BmcRandom, byte[] BmcGuid, byte[] AuthCode)
{
    public byte[] Encode()
    {
        var w = new ByteWriter(72);
        w.U8(MessageTag).U8(Status).Zeros(2).U32(ConsoleSessionId);
        if (Status == 0) w.Bytes(Rakp1.Fixed(BmcRandom, 16)).Bytes(Rakp1.Fixed(BmcGuid, 16)).Bytes(AuthCode);
        return w.ToArray();
    }

    public static bool TryDecode(ReadOnlySpan<byte> data, out Rakp2? value)
    {
        value = null;
        var r = new ByteReader(data);
        if (!r.U8(out var tag) || !r.U8(out var status)) return false;
        // A refusal may be cut short after the status (as ipmi_sim does for Open Session): accept it.
        if (status != 0 && data.Length < 40)
        {
            value = new(tag, status, Rakp1.ShortSid(data), [], [], []);
            return true;
        }
        if (!r.Skip(2) || !r.U32(out var sid)) return false;
        if (!r.Bytes(16, out var random) || !r.Bytes(16, out var guid)) return false;
        value = new(tag, status, sid, random, guid, r.Rest());
        return true;
    }
}

/// <summary>RAKP Message 3 (IPMI 2.0 §13.22): console → BMC, the console's auth code (or an error status).</summary>
public sealed record Rakp3(byte MessageTag, byte Status, uint BmcSessionId, byte[] AuthCode)
{
    public byte[] Encode()
    {
        var w = new ByteWriter(40);
        w.U8(MessageTag).U8(Status).Zeros(2).U32(BmcSessionId).Bytes(AuthCode);
        return w.ToArray();
    }

    public static bool TryDecode(ReadOnlySpan<byte> data, out Rakp3? value)
    {
        value = null;
        var r = new ByteReader(data);
        if (!r.U8(out var tag) || !r.U8(out var status) || !r.Skip(2) || !r.U32(out var sid)) return false;
        value = new(tag, status, sid, r.Rest());
        return true;
    }
}

/// <summary>RAKP Message 4 (IPMI 2.0 §13.23): BMC → console, the integrity check value that proves the BMC holds the SIK.</summary>
public sealed record Rakp4(byte MessageTag, byte Status, uint ConsoleSessionId, byte[] IntegrityCheck)
{
    public byte[] Encode()
    {
        var w = new ByteWriter(32);
        w.U8(MessageTag).U8(Status).Zeros(2).U32(ConsoleSessionId).Bytes(IntegrityCheck);
        return w.ToArray();
    }

    public static bool TryDecode(ReadOnlySpan<byte> data, out Rakp4? value)
    {
        value = null;
        var r = new ByteReader(data);
        if (!r.U8(out var tag) || !r.U8(out var status)) return false;
        if (status != 0 && data.Length < 8)
        {
            value = new(tag, status, 0, []);
            return true;
        }
        if (!r.Skip(2) || !r.U32(out var sid)) return false;
        value = new(tag, status, sid, r.Rest());
        return true;
    }
}
