namespace Ingot.Bmc.Ipmi;

/// <summary>Network functions and command numbers (IPMI 2.0 appendix G), for the client and the simulated BMC alike.</summary>
public static class IpmiCommands
{
    public const byte NetFnChassis = 0x00;
    public const byte NetFnApp = 0x06;
    public const byte NetFnStorage = 0x0A;

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
    public const byte GetChannelInfo = 0x42;

    // Storage (IPMI 2.0 §34, §31, §33): FRU inventory, the SEL, the SDR repository.
    public const byte GetFruInventoryAreaInfo = 0x10;
    public const byte ReadFruData = 0x11;
    public const byte GetSdrRepositoryInfo = 0x20;
    public const byte ReserveSdrRepository = 0x22;
    public const byte GetSdr = 0x23;
    public const byte GetSelInfo = 0x40;
    public const byte ReserveSel = 0x42;
    public const byte GetSelEntry = 0x43;
    public const byte GetSelTime = 0x48;

    /// <summary>System boot options parameter 5: boot flags.</summary>
    public const byte BootFlagsParameter = 5;
}
