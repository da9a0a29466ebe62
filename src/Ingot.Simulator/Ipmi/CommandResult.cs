namespace Ingot.Simulator.Ipmi;

/// <summary>The answer to one IPMI command: a completion code and the response data after it.</summary>
internal readonly record struct CommandResult(byte CompletionCode, byte[] Data)
{
    public static CommandResult Ok(params byte[] data) => new(Cc.Ok, data);
    public static CommandResult Fail(byte completionCode) => new(completionCode, []);
}

/// <summary>Network functions and commands the simulated BMC understands (IPMI 2.0 appendix G).</summary>
internal static class Cmd
{
    public const byte NetFnChassis = 0x00;
    public const byte NetFnApp = 0x06;

    public const byte GetChassisStatus = 0x01;
    public const byte ChassisControl = 0x02;
    public const byte SetSystemBootOptions = 0x08;
    public const byte GetSystemBootOptions = 0x09;

    public const byte GetDeviceId = 0x01;
    public const byte GetChannelAuthCapabilities = 0x38;
    public const byte SetSessionPrivilegeLevel = 0x3B;
    public const byte CloseSession = 0x3C;
    public const byte GetChannelCipherSuites = 0x54;
}

/// <summary>Completion codes the simulator answers with (IPMI 2.0 table 5-2 and the per-command codes).</summary>
internal static class Cc
{
    public const byte Ok = 0x00;
    public const byte ParameterNotSupported = 0x80;
    public const byte PrivilegeAboveLimit = 0x81;
    public const byte InvalidSessionId = 0x87;
    public const byte InvalidCommand = 0xC1;
    public const byte RequestDataLengthInvalid = 0xC7;
    public const byte InvalidDataField = 0xCC;
    public const byte InsufficientPrivilege = 0xD4;
}
