using Ingot.Client;
using Ingot.Server.Api;
using Ingot.Server.Data;

namespace Ingot.Server.Inventory;

/// <summary>Commissioning's hardware check: the machine's reported hardware against its SKU, or, when it has none,
/// the SKU it fits (assigned to it).</summary>
public static class HardwareCheck
{
    /// <returns>What was found, for the job's record.</returns>
    /// <exception cref="ConflictException">The hardware fits no SKU, or not its own.</exception>
    public static async Task<string> RunAsync(DataContext c, long machineId, DateTimeOffset now)
    {
        var machine = await MachineReader.GetAsync(c, machineId);
        if (machine.Hardware is null) return "no hardware facts reported (the machine was not discovered); SKU not checked";
        var skus = (await c.QueryAsync<(long Id, string Name, int CpuCores, int MemoryGb, int DiskCount, int DiskGb, int NicCount)>(
                "SELECT id, name, cpu_cores, memory_gb, disk_count, disk_gb, nic_count FROM skus ORDER BY name"))
            .Select(s => (s.Id, View: new SkuView(s.Id, s.Name, s.CpuCores, s.MemoryGb, s.DiskCount, s.DiskGb, s.NicCount, null, default)))
            .ToList();
        if (skus.Count == 0) return "no SKUs are defined; hardware not checked";
        if (machine.Sku is { } own)
        {
            var differences = SkuMatch.Differences(machine.Hardware, machine.Nics.Count, skus.Single(s => s.View.Name == own).View);
            if (differences.Count > 0)
                throw new ConflictException($"the hardware does not match SKU {own}: {string.Join("; ", differences)}");
            return $"the hardware matches SKU {own}";
        }
        var fit = skus.FirstOrDefault(s => SkuMatch.Differences(machine.Hardware, machine.Nics.Count, s.View).Count == 0);
        if (fit.View is null)
            throw new ConflictException($"the hardware matches no SKU ({machine.Hardware.CpuCores} cores, {machine.Hardware.MemoryGb} GB, " +
                                        $"{machine.Hardware.Disks?.Count ?? 0} disks, {machine.Nics.Count} NICs)");
        await c.ExecuteAsync("UPDATE machines SET sku_id = @sku, updated_at = @now WHERE id = @machineId", new { sku = fit.Id, now, machineId });
        return $"the hardware matches SKU {fit.View.Name}; assigned";
    }
}
