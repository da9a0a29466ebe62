namespace Ingot.Bmc.Ipmi;

/// <summary>Get Channel Authentication Capabilities (App 0x38, IPMI 2.0 §22.13), the one command sent before a session,
/// in an IPMI 1.5 packet: it tells whether the BMC speaks IPMI 2.0 (RMCP+) at all.</summary>
public static class GetChannelAuthCapabilities
{
    public const byte NetFn = 0x06;
    public const byte Command = 0x38;

    /// <summary>Channel 0x0E ("this channel") with bit 7 set to ask for the IPMI 2.0 extended data.</summary>
    public static IpmiRequest Request(byte sequence, byte privilege, byte channel = 0x0E) =>
        new(NetFn, Command, sequence, [(byte)(0x80 | (channel & 0x0F)), (byte)(privilege & 0x0F)]);
}

/// <summary>The response data of Get Channel Authentication Capabilities.</summary>
/// <param name="AuthTypeSupport">Bit 7: IPMI 2.0 extended capabilities present; bits 0–5: IPMI 1.5 auth types.</param>
/// <param name="AuthStatus">KG status, per-message and user-level authentication, anonymous login bits.</param>
/// <param name="ExtendedCapabilities">Bit 1: IPMI 2.0 (RMCP+) connections supported; bit 0: IPMI 1.5.</param>
public sealed record ChannelAuthCapabilities(byte Channel, byte AuthTypeSupport, byte AuthStatus, byte ExtendedCapabilities,
                                             uint OemId, byte OemAuxiliary)
{
    public bool SupportsIpmi20 => (AuthTypeSupport & 0x80) != 0 && (ExtendedCapabilities & 0x02) != 0;

    public byte[] Encode()
    {
        var w = new ByteWriter(8);
        w.U8(Channel).U8(AuthTypeSupport).U8(AuthStatus).U8(ExtendedCapabilities)
         .U8((byte)OemId).U8((byte)(OemId >> 8)).U8((byte)(OemId >> 16)).U8(OemAuxiliary);
        return w.ToArray();
    }

    public static bool TryDecode(ReadOnlySpan<byte> data, out ChannelAuthCapabilities? value)
    {
        value = null;
        if (data.Length < 8) return false;
        var oem = (uint)(data[4] | data[5] << 8 | data[6] << 16);
        value = new(data[0], data[1], data[2], data[3], oem, data[7]);
        return true;
    }
}
