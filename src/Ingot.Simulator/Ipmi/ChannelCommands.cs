using Ingot.Bmc.Ipmi;

namespace Ingot.Simulator.Ipmi;

/// <summary>The commands a console may send before it has a session: what the channel offers.</summary>
internal static class ChannelCommands
{
    /// <summary>The LAN channel's number; requests may name it or 0x0E ("the channel this arrived on").</summary>
    public const byte LanChannel = 0x01;

    /// <summary>The suites this BMC accepts in Open Session; every other proposal gets status 0x11.</summary>
    public static IReadOnlyList<CipherSuite> Offered { get; } = [CipherSuite.Suite3, CipherSuite.Suite17];

    /// <summary>Get Channel Authentication Capabilities (IPMI 2.0 §22.13). Bit 7 of the channel byte asks for the
    /// v2.0 data: ipmitool -I lanplus refuses a BMC whose reply lacks the "v2.0 extended" bit
    /// (IpmitoolTests.PowerStatus_ReportsTheSimulatedState), so it is set whenever it was asked for.</summary>
    public static CommandResult AuthCapabilities(ReadOnlySpan<byte> data)
    {
        if (data.Length != 2) return CommandResult.Fail(CompletionCodes.RequestDataLengthInvalid);
        var privilege = data[1] & 0x0F;
        if (!IsOurChannel(data[0]) || privilege is < 1 or > 5) return CommandResult.Fail(CompletionCodes.InvalidDataField);
        var wantsV2 = (data[0] & 0x80) != 0;
        return CommandResult.Ok(
            LanChannel,
            // No IPMI 1.5 authentication types: this BMC speaks RMCP+ only.
            wantsV2 ? (byte)0x80 : (byte)0x00,
            0x04, // non-null user names enabled; per-message and user-level authentication on
            wantsV2 ? (byte)0x02 : (byte)0x00, // channel supports IPMI v2.0 connections
            0x00, 0x00, 0x00, // OEM id: none
            0x00);
    }

    /// <summary>Get Channel Cipher Suites (IPMI 2.0 §22.15). ipmitool 1.8.19 asks for it when no -C is given and
    /// picks 17 over 3 from the answer (IpmitoolTests.NoSuiteGiven_NegotiatesSuite17FromGetChannelCipherSuites); a reply shorter than 16 record bytes
    /// ends its loop over list indexes.</summary>
    public static CommandResult CipherSuites(ReadOnlySpan<byte> data)
    {
        if (data.Length != 3) return CommandResult.Fail(CompletionCodes.RequestDataLengthInvalid);
        if (!IsOurChannel(data[0])) return CommandResult.Fail(CompletionCodes.InvalidDataField);
        var bySuite = (data[2] & 0x80) != 0;
        var index = data[2] & 0x3F;
        var records = bySuite ? SuiteRecords() : AlgorithmRecords();
        var block = records.Skip(index * 16).Take(16);
        return CommandResult.Ok([LanChannel, .. block]);
    }

    /// <summary>Get Channel Info (IPMI 2.0 §22.24): channel 0, the IPMB the BMC sits on at 20h (session-less), and the
    /// LAN channel (802.3, multi-session), both with the IPMI Forum's IANA number 7154 — what OpenIPMI ipmi_sim
    /// answers too. Every other channel is "not present" (0xCC), which FreeIPMI's bmc-info skips as it walks channels
    /// 0–11 (issue 11 E.5: it had printed the "invalid command" answers as channels). FreeIPMI 1.6.10's bmc-info may
    /// still print a stray entry of uninitialised memory after the real ones; it does so against ipmi_sim as well.</summary>
    public static CommandResult Info(ReadOnlySpan<byte> data)
    {
        if (data.Length != 1) return CommandResult.Fail(CompletionCodes.RequestDataLengthInvalid);
        byte[] ipmiForum = [0xF2, 0x1B, 0x00];
        if ((data[0] & 0x0F) == 0) return CommandResult.Ok([0x00, 0x01, 0x01, 0x00, .. ipmiForum, 0x00, 0x00]);
        if (!IsOurChannel(data[0])) return CommandResult.Fail(CompletionCodes.InvalidDataField);
        return CommandResult.Ok([LanChannel, 0x04, 0x01, 0x80, .. ipmiForum, 0x00, 0x00]);
    }

    private static bool IsOurChannel(byte channelByte) => (channelByte & 0x0F) is LanChannel or 0x0E;

    /// <summary>One record per suite: 0xC0, suite id, then the algorithms tagged 0x00 / 0x40 / 0x80.</summary>
    private static byte[] SuiteRecords() =>
        [.. Offered.SelectMany(s => new[]
        {
            (byte)0xC0, (byte)s.Id, (byte)s.Auth, (byte)(0x40 | (byte)s.Integrity), (byte)(0x80 | (byte)s.Confidentiality),
        })];

    private static byte[] AlgorithmRecords() =>
        [.. Offered.Select(s => (byte)s.Auth).Distinct(),
         .. Offered.Select(s => (byte)(0x40 | (byte)s.Integrity)).Distinct(),
         .. Offered.Select(s => (byte)(0x80 | (byte)s.Confidentiality)).Distinct()];
}
