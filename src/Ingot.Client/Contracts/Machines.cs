namespace Ingot.Client;

public sealed record NicInput(string? Mac, string? Name = null, string? Ip = null);
public sealed record NicView(string Mac, string? Name, string? Ip);

/// <summary>BMC settings as written. The password is write-only: it is stored encrypted and never returned.</summary>
public sealed record BmcInput(string? Driver, string? Address, int? Port = null, string? Username = null, string? Password = null);
/// <param name="Health">The circuit breaker's view of this BMC (see BmcHealthView); null while no failure was ever recorded.</param>
public sealed record BmcView(string Driver, string Address, int Port, string? Username, bool HasPassword, BmcHealthView? Health = null);

public sealed record DiskFact(string? Name, long? SizeGb, string? Kind = null);
public sealed record HardwareFacts(int? CpuCores, string? CpuModel, int? MemoryGb, IReadOnlyList<DiskFact>? Disks);

public sealed record MachineCreate(
    string? Serial,
    string? Vendor = null,
    string? Model = null,
    string? Site = null,
    string? Rack = null,
    int? Unit = null,
    string? Sku = null,
    string? Hostname = null,
    string? Role = null,
    IReadOnlyList<NicInput>? Nics = null,
    BmcInput? Bmc = null,
    IReadOnlyList<string>? Tags = null);

/// <summary>A partial update: absent (null) fields stay as they are; an empty string clears an optional
/// field; <c>nics</c> and <c>tags</c>, when given, replace the whole list.</summary>
/// <param name="BootMode">The machine's boot-mode override, <c>uefi</c> or <c>legacy</c>; "" clears it (then the SKU's
/// override, else what its iPXE reported, applies).</param>
public sealed record MachineUpdate(
    string? Vendor = null,
    string? Model = null,
    string? Site = null,
    string? Rack = null,
    int? Unit = null,
    string? Sku = null,
    string? Hostname = null,
    string? Role = null,
    IReadOnlyList<NicInput>? Nics = null,
    BmcInput? Bmc = null,
    IReadOnlyList<string>? Tags = null,
    string? BootMode = null);

/// <param name="BootMode">The mode jobs boot the machine in: <c>uefi</c> or <c>legacy</c>.</param>
/// <param name="BootModeSource">Where <paramref name="BootMode"/> comes from: <c>machine</c> (its override), <c>sku</c>
/// (its SKU's), <c>reported</c> (what its iPXE reported on its last network boot) or <c>default</c> (nothing known: UEFI).</param>
/// <param name="ReportedBootMode">What its iPXE last reported (<c>${platform}</c>: efi → uefi, pcbios → legacy), if it ever booted.</param>
public sealed record MachineView(
    long Id,
    string HardwareName,
    string Serial,
    string? Vendor,
    string? Model,
    string? Site,
    string? Rack,
    int? Unit,
    string? Sku,
    string? Hostname,
    string? Role,
    string? Team,
    MachineState State,
    bool Maintenance,
    string? MaintenanceReason,
    IReadOnlyList<NicView> Nics,
    BmcView? Bmc,
    IReadOnlyList<string> Tags,
    HardwareFacts? Hardware,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? Image = null,
    DateTimeOffset? InstalledAt = null,
    string BootMode = "uefi",
    string BootModeSource = "default",
    string? ReportedBootMode = null);

/// <summary>Filters of the machine search; every one is optional and they combine with AND.</summary>
public sealed record MachineQuery(
    string? Site = null,
    string? Rack = null,
    string? Sku = null,
    string? State = null,
    string? Role = null,
    string? Tag = null,
    bool? Maintenance = null,
    string? HostnamePrefix = null,
    string? Q = null,
    int? Limit = null,
    string? After = null,
    bool Count = false,
    string? Owner = null,
    string? BmcHealth = null);

/// <summary>What a discovery image posts about the machine it runs on.</summary>
public sealed record DiscoveryReport(
    string? Serial,
    string? Vendor = null,
    string? Model = null,
    int? CpuCores = null,
    string? CpuModel = null,
    int? MemoryGb = null,
    IReadOnlyList<DiskFact>? Disks = null,
    IReadOnlyList<NicInput>? Nics = null,
    string? BmcAddress = null,
    int? BmcPort = null);

public sealed record DiscoveryResult(bool Created, MachineView Machine);

public sealed record ImportRowError(int Line, string? Serial, string Reason);
public sealed record ImportResult(bool DryRun, int Accepted, int Rejected, IReadOnlyList<string> HardwareNames, IReadOnlyList<ImportRowError> Errors);
