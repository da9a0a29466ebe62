using Ingot.Server.Api;
using Ingot.Server.Data;

namespace Ingot.Server.Inventory;

/// <summary>A machine's boot mode, UEFI or legacy BIOS: learned from what its iPXE reports (<c>${platform}</c>:
/// <c>efi</c> or <c>pcbios</c>) on the network boots that take a job attempt's boot token and on discovery
/// (Boot/BootDecision), overridden per machine or per SKU. The jobs' boot steps ask the BMC for this mode, so a legacy
/// machine is not switched to UEFI (or back) by an install.</summary>
/// <remarks>Precedence: the machine's override, then its SKU's, then the reported mode; UEFI when none is known
/// (what every job asked for before boot modes existed, and what current servers ship with). The reported mode comes
/// from an unauthenticated request (iPXE has no credentials), so an override is how an operator pins a mode that must
/// not follow what a boot says.</remarks>
public static class BootModes
{
    public const string Uefi = "uefi";
    public const string Legacy = "legacy";

    /// <summary>The effective mode in SQL, over <c>machines m LEFT JOIN skus k</c>; NULL means the default (UEFI).</summary>
    public const string Sql = "COALESCE(m.boot_mode, k.boot_mode, m.reported_boot_mode)";

    /// <summary>What iPXE's platform means: <c>efi</c> is UEFI, <c>pcbios</c> legacy BIOS.</summary>
    public static string FromPlatform(bool efi) => efi ? Uefi : Legacy;

    public static bool IsUefi(string? effective) => effective is null or Uefi;

    /// <summary>The effective mode and where it comes from: machine, sku, reported or default.</summary>
    public static (string Mode, string Source) Resolve(string? machine, string? sku, string? reported) =>
        machine is not null ? (machine, "machine")
        : sku is not null ? (sku, "sku")
        : reported is not null ? (reported, "reported")
        : (Uefi, "default");

    /// <summary>An override as given in a body: null keeps the current one, "" clears it, else uefi or legacy.</summary>
    public static string? Override(string? value, string field, Validation v)
    {
        if (value is null or "") return value;
        var mode = value.Trim().ToLowerInvariant();
        if (mode is Uefi or Legacy) return mode;
        v.Add(field, $"'{value}' is not a boot mode: uefi or legacy (\"\" clears the override).");
        return null;
    }

    /// <summary>Records what a machine's iPXE reported, writing only when it changed (most boots report the same).</summary>
    public static Task RecordReportedAsync(DataContext c, long machineId, string mode, DateTimeOffset now) =>
        c.ExecuteAsync(
            """
            UPDATE machines SET reported_boot_mode = @mode, updated_at = @now
            WHERE id = @machineId AND (reported_boot_mode IS NULL OR reported_boot_mode <> @mode)
            """, new { machineId, mode, now });
}
