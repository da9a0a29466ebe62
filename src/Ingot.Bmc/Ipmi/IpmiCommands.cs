namespace Ingot.Bmc.Ipmi;

/// <summary>Network functions and command numbers (IPMI 2.0 appendix G), for the client and the simulated BMC alike.</summary>
public static class IpmiCommands
{
    public const byte NetFnChassis = 0x00;
    public const byte NetFnApp = 0x06;

    public const byte GetChassisStatus = 0x01;
    public const byte ChassisControl = 0x02;
    public const byte SetSystemBootOptions = 0x08;
    public const byte GetSystemBootOptions = 0x09;

    public const byte GetDeviceId = 0x01;
    public const byte GetSystemGuid = 0x37;
    public const byte GetChannelAuthCapabilities = 0x38;
    public const byte SetSessionPrivilegeLevel = 0x3B;
    public const byte CloseSession = 0x3C;
    public const byte GetChannelCipherSuites = 0x54;

    /// <summary>System boot options parameter 5: boot flags.</summary>
    public const byte BootFlagsParameter = 5;
}
