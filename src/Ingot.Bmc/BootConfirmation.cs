namespace Ingot.Bmc;

/// <summary>Boot-flag behaviours of a BMC that reads back less than it was told, by their stable names (shown in a
/// machine's BMC health).</summary>
public static class BootQuirks
{
    /// <summary>The BMC applies the device but never marks the override valid. OpenIPMI ipmi_sim 2.0.33 reads back
    /// "Force PXE, boot flag invalid" right after "bootdev pxe" (LABS.md; IpmiSimTests.BootConfirmation_*).</summary>
    public const string ValidNotReported = "boot_valid_not_reported";

    /// <summary>The read-back's persistence differs from what was set (ipmi_sim never reports the persistent bit).</summary>
    public const string PersistenceNotReported = "boot_persistence_not_reported";

    /// <summary>The read-back's boot mode (UEFI or legacy) differs from what was set (ipmi_sim never reports the EFI bit).</summary>
    public const string ModeNotReported = "boot_mode_not_reported";
}

/// <summary>What a boot-device change came to: the BMC's read-back, and which of the flags set it did not report.</summary>
/// <param name="Quirks">Names from <see cref="BootQuirks"/>, sorted; empty when the read-back matched in full.</param>
public sealed record BootCheck(BootSettings ReadBack, IReadOnlyList<string> Quirks);

/// <summary>The BMC took the boot-device command but reads back another device (or none): the machine would not boot
/// what was asked. Transient: a later attempt may take.</summary>
public sealed class BootNotConfirmedException(string bmc, string message) : BmcException(bmc, message)
{
    public override bool IsTransient => true;
}

/// <summary>Sets a boot device and reads it back, giving one verdict for the CLI (`ingot bmc bootdev`) and the server's
/// boot steps. What decides where the machine boots is the device, and that must read back as set. The flags (valid,
/// persistent, UEFI) are not all reported by every BMC: OpenIPMI ipmi_sim reports none of them yet applies the device,
/// and real BMCs vary the same way, so a flag that reads back otherwise is a quirk of that BMC — named in the outcome
/// for the caller to show and remember — not a failure (issue 11 E.1).</summary>
public static class BootConfirmation
{
    /// <exception cref="BootNotConfirmedException">The BMC reads back another device.</exception>
    /// <exception cref="BmcException">The BMC refused or did not answer.</exception>
    public static async Task<BootCheck> SetAsync(IBootDeviceControl boot, string bmcName, BootSettings wanted, CancellationToken ct = default)
    {
        await boot.SetBootDeviceAsync(wanted, ct);
        return Judge(bmcName, wanted, await boot.GetBootDeviceAsync(ct));
    }

    /// <exception cref="BootNotConfirmedException">The read-back names another device.</exception>
    public static BootCheck Judge(string bmcName, BootSettings wanted, BootSettings readBack)
    {
        if (readBack.Device != wanted.Device)
            throw new BootNotConfirmedException(bmcName, $"accepted boot device {Describe(wanted)} but reports {Describe(readBack)}");
        List<string> quirks = [];
        // Asking for no override has nothing to mark valid.
        if (!readBack.Valid && wanted.Device != BootDevice.None) quirks.Add(BootQuirks.ValidNotReported);
        if (readBack.Persistent != wanted.Persistent) quirks.Add(BootQuirks.PersistenceNotReported);
        if (readBack.Uefi != wanted.Uefi) quirks.Add(BootQuirks.ModeNotReported);
        quirks.Sort(StringComparer.Ordinal);
        return new BootCheck(readBack, quirks);
    }

    /// <summary>"pxe (next boot only, UEFI)", as messages and the CLI print it.</summary>
    public static string Describe(BootSettings s) =>
        $"{DeviceName(s.Device)} ({(s.Persistent ? "persistent" : "next boot only")}, {(s.Uefi ? "UEFI" : "legacy")})";

    /// <summary>One line for an outcome with quirks: what was confirmed, and what the BMC does not report.</summary>
    public static string DescribeQuirks(IReadOnlyList<string> quirks) =>
        $"the BMC does not report {string.Join(", ", quirks.Select(Flag))}; the device was confirmed";

    public static string DeviceName(BootDevice device) => device switch
    {
        BootDevice.Pxe => "pxe",
        BootDevice.Disk => "disk",
        BootDevice.BiosSetup => "bios",
        _ => "none",
    };

    private static string Flag(string quirk) => quirk switch
    {
        BootQuirks.ValidNotReported => "the boot-flags-valid mark",
        BootQuirks.PersistenceNotReported => "persistence",
        BootQuirks.ModeNotReported => "the boot mode",
        _ => quirk,
    };
}
