namespace Ingot.Bmc.Ipmi;

/// <summary>Meanings of IPMI completion codes (IPMI 2.0 table 5-2), for error messages an operator can act on.</summary>
public static class CompletionCodes
{
    public const byte Ok = 0x00;
    public const byte ParameterNotSupported = 0x80;
    public const byte PrivilegeAboveLimit = 0x81;
    public const byte InvalidSessionId = 0x87;
    public const byte InvalidCommand = 0xC1;
    public const byte RequestDataLengthInvalid = 0xC7;
    public const byte InvalidDataField = 0xCC;
    public const byte ReservationCanceled = 0xC5;
    public const byte ParameterOutOfRange = 0xC9;
    public const byte NotPresent = 0xCB;
    public const byte InsufficientPrivilege = 0xD4;

    public static string Describe(byte code) => code switch
    {
        0x00 => "command completed normally",
        0xC0 => "node busy",
        0xC1 => "invalid command",
        0xC2 => "command invalid for given LUN",
        0xC3 => "timeout while processing command",
        0xC4 => "out of space",
        0xC5 => "reservation cancelled or invalid reservation ID",
        0xC6 => "request data truncated",
        0xC7 => "request data length invalid",
        0xC8 => "request data field length limit exceeded",
        0xC9 => "parameter out of range",
        0xCA => "cannot return number of requested data bytes",
        0xCB => "requested sensor, data, or record not present",
        0xCC => "invalid data field in request",
        0xCD => "command illegal for specified sensor or record type",
        0xCE => "command response could not be provided",
        0xCF => "cannot execute duplicated request",
        0xD0 => "SDR repository in update mode",
        0xD1 => "device in firmware update mode",
        0xD2 => "BMC initialization in progress",
        0xD3 => "destination unavailable",
        0xD4 => "insufficient privilege level",
        0xD5 => "command not supported in present state",
        0xD6 => "command sub-function has been disabled or is unavailable",
        0xFF => "unspecified error",
        >= 0x01 and <= 0x7E => "OEM-specific completion code",
        >= 0x80 and <= 0xBE => "command-specific completion code",
        _ => "unknown completion code",
    };

    /// <summary>Codes that say "try again later" rather than "never".</summary>
    public static bool IsTransient(byte code) => code is 0xC0 or 0xC3 or 0xCE or 0xD2;
}

/// <summary>RMCP+ and RAKP message status codes (IPMI 2.0 table 13-15).</summary>
public static class RmcpStatusCodes
{
    public const byte NoError = 0x00;
    public const byte InvalidRole = 0x09;
    public const byte UnauthorizedRole = 0x0A;
    public const byte UnauthorizedName = 0x0D;
    public const byte InvalidIntegrityCheck = 0x0F;
    public const byte NoCipherSuiteMatch = 0x11;

    public static string Describe(byte code) => code switch
    {
        0x00 => "no errors",
        0x01 => "insufficient resources to create a session",
        0x02 => "invalid session ID",
        0x03 => "invalid payload type",
        0x04 => "invalid authentication algorithm",
        0x05 => "invalid integrity algorithm",
        0x06 => "no matching authentication payload",
        0x07 => "no matching integrity payload",
        0x08 => "inactive session ID",
        0x09 => "invalid role",
        0x0A => "unauthorized role or privilege level requested",
        0x0B => "insufficient resources to create a session at the requested role",
        0x0C => "invalid name length",
        0x0D => "unauthorized name",
        0x0E => "unauthorized GUID",
        0x0F => "invalid integrity check value",
        0x10 => "invalid confidentiality algorithm",
        0x11 => "no cipher suite match with proposed security algorithms",
        0x12 => "illegal or unrecognized parameter",
        _ => "unknown status code",
    };

    /// <summary>Statuses that mean "this combination of algorithms is not offered": try another suite.</summary>
    public static bool IsCipherMismatch(byte code) => code is 0x04 or 0x05 or 0x06 or 0x07 or 0x10 or 0x11;

    /// <summary>Statuses that mean the user, password or role is wrong: never retried.</summary>
    public static bool IsAuthenticationFailure(byte code) => code is 0x09 or 0x0A or 0x0C or 0x0D or 0x0E or 0x0F;
}
