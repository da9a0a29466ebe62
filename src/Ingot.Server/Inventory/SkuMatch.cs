using Ingot.Client;

namespace Ingot.Server.Inventory;

/// <summary>Does what a machine reported about itself fit a SKU? Commissioning asks, so that a machine racked with
/// the wrong DIMMs or a dead disk is caught before anyone installs on it.</summary>
public static class SkuMatch
{
    /// <summary>Firmware keeps some memory for itself, so a 256 GB machine reports a little less.</summary>
    private const double MemoryTolerance = 0.05;

    /// <returns>Every way the facts differ from the SKU; empty when they fit. Facts the machine did not report are
    /// not held against it.</returns>
    public static IReadOnlyList<string> Differences(HardwareFacts facts, int nics, SkuView sku)
    {
        var differences = new List<string>();
        if (facts.CpuCores is { } cores && cores != sku.CpuCores) differences.Add($"{cores} CPU cores, not {sku.CpuCores}");
        if (facts.MemoryGb is { } memory && (memory > sku.MemoryGb || memory < sku.MemoryGb * (1 - MemoryTolerance)))
            differences.Add($"{memory} GB of memory, not {sku.MemoryGb}");
        if (facts.Disks is { } disks)
        {
            if (disks.Count != sku.DiskCount) differences.Add($"{disks.Count} disks, not {sku.DiskCount}");
            var small = disks.Where(d => d.SizeGb is { } size && size < sku.DiskGb).Select(d => $"{d.Name ?? "?"} ({d.SizeGb} GB)").ToList();
            if (small.Count > 0) differences.Add($"disks smaller than {sku.DiskGb} GB: {string.Join(", ", small)}");
        }
        if (nics > 0 && nics != sku.NicCount) differences.Add($"{nics} NICs, not {sku.NicCount}");
        return differences;
    }
}
