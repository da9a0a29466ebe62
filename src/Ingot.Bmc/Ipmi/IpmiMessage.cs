namespace Ingot.Bmc.Ipmi;

/// <summary>A request in the IPMI LAN message format (IPMI 2.0 §13.8): rsAddr 0x20 (the BMC), rqAddr 0x81
/// (a remote console software id), LUN 0, a header checksum and a data checksum.</summary>
/// <param name="NetFn">The request network function (even).</param>
/// <param name="Sequence">rqSeq, six bits; the BMC echoes it in the response.</param>
public sealed record IpmiRequest(byte NetFn, byte Command, byte Sequence, byte[] Data)
{
    public const byte BmcAddress = 0x20;
    public const byte ConsoleAddress = 0x81;

    public byte[] Encode() => LanMessage.Encode(BmcAddress, NetFn, ConsoleAddress, Sequence, Command, null, Data);

    public static bool TryDecode(ReadOnlySpan<byte> data, out IpmiRequest? value)
    {
        value = null;
        if (!LanMessage.TryDecode(data, 0, out var netFn, out var seq, out var command, out var body)) return false;
        value = new(netFn, command, seq, body);
        return true;
    }
}

/// <summary>A response in the IPMI LAN message format: rqAddr 0x81, rsAddr 0x20, the completion code, data.</summary>
/// <param name="NetFn">The response network function as on the wire (the request's plus one, odd).</param>
public sealed record IpmiResponse(byte NetFn, byte Command, byte Sequence, byte CompletionCode, byte[] Data)
{
    public byte[] Encode() =>
        LanMessage.Encode(IpmiRequest.ConsoleAddress, NetFn, IpmiRequest.BmcAddress, Sequence, Command, CompletionCode, Data);

    public static bool TryDecode(ReadOnlySpan<byte> data, out IpmiResponse? value)
    {
        value = null;
        if (!LanMessage.TryDecode(data, 1, out var netFn, out var seq, out var command, out var body)) return false;
        value = new(netFn, command, seq, body[0], body[1..]);
        return true;
    }

    /// <summary>The response to <paramref name="request"/>: same command and sequence, NetFn + 1.</summary>
    public static IpmiResponse To(IpmiRequest request, byte completionCode, byte[]? data = null) =>
        new((byte)(request.NetFn | 1), request.Command, request.Sequence, completionCode, data ?? []);
}

/// <summary>The shared byte layout of LAN requests and responses.</summary>
internal static class LanMessage
{
    public static byte[] Encode(byte toAddr, byte netFn, byte fromAddr, byte seq, byte command, byte? completionCode, byte[] data)
    {
        var w = new ByteWriter(8 + data.Length);
        w.U8(toAddr).U8((byte)(netFn << 2)).U8(0).U8(fromAddr).U8((byte)((seq & 0x3F) << 2)).U8(command);
        if (completionCode is { } cc) w.U8(cc);
        w.Bytes(data).U8(0);
        var bytes = w.ToArray();
        bytes[2] = Checksum(bytes.AsSpan(0, 2));
        bytes[^1] = Checksum(bytes.AsSpan(3, bytes.Length - 4));
        return bytes;
    }

    /// <param name="minBody">1 for responses (the completion code must be there).</param>
    public static bool TryDecode(ReadOnlySpan<byte> data, int minBody, out byte netFn, out byte seq, out byte command, out byte[] body)
    {
        netFn = seq = command = 0;
        body = [];
        if (data.Length < 7 + minBody) return false;
        if (Checksum(data[..2]) != data[2] || Checksum(data[3..^1]) != data[^1]) return false;
        netFn = (byte)(data[1] >> 2);
        seq = (byte)(data[4] >> 2);
        command = data[5];
        body = data[6..^1].ToArray();
        return true;
    }

    /// <summary>Two's complement of the byte sum, so that the covered bytes plus the checksum sum to zero.</summary>
    public static byte Checksum(ReadOnlySpan<byte> bytes)
    {
        byte sum = 0;
        foreach (var b in bytes) sum += b;
        return (byte)-sum;
    }
}
