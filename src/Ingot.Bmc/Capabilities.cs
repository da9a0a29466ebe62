namespace Ingot.Bmc;

public enum PowerState { Off, On }

/// <summary>What to do to a machine's power. Each maps to one IPMI Chassis Control or Redfish ResetType.</summary>
public enum PowerAction { On, Off, Cycle, Reset, SoftOff }

public enum BootDevice { None, Pxe, Disk, BiosSetup }

/// <summary>A boot override: the device, whether it holds for every boot or the next one only, and the firmware's boot mode.</summary>
/// <param name="Valid">Read back: whether the BMC marks the override as in effect (IPMI's boot-flags-valid bit). A read-back
/// without the mark still names the device the BMC holds: some BMCs apply a device and never report the mark (OpenIPMI
/// ipmi_sim), others clear it once the boot it was for has happened. Ignored when setting (an override set is valid).</param>
public sealed record BootSettings(BootDevice Device, bool Persistent = false, bool Uefi = false, bool Valid = true);

public sealed record DeviceInfo(string? Manufacturer, string? Model, string? FirmwareVersion, string? Guid, IReadOnlyDictionary<string, string> Details);

/// <summary>Reads and changes power. Implementations send the command and return when the BMC has
/// acknowledged it; confirming the effect is <see cref="PowerConfirmation"/>'s job, not the driver's.</summary>
/// <exception cref="BmcException">Every failure, as one of its documented subtypes.</exception>
public interface IPowerControl
{
    Task<PowerState> GetPowerStateAsync(CancellationToken ct = default);
    Task SendPowerAsync(PowerAction action, CancellationToken ct = default);
}

/// <exception cref="BmcException">Every failure, as one of its documented subtypes.</exception>
public interface IBootDeviceControl
{
    Task SetBootDeviceAsync(BootSettings settings, CancellationToken ct = default);
    Task<BootSettings> GetBootDeviceAsync(CancellationToken ct = default);
}

/// <exception cref="BmcException">Every failure, as one of its documented subtypes.</exception>
public interface IDeviceInfoSource
{
    Task<DeviceInfo> GetDeviceInfoAsync(CancellationToken ct = default);
}

/// <summary>One connection to one BMC, offering the capabilities its driver supports (test with `is`).</summary>
public interface IBmc : IAsyncDisposable
{
    BmcTarget Target { get; }
}
