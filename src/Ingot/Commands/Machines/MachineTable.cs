using Ingot.Client;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Ingot.Commands.Machines;

/// <summary>How machines look in table output: one row each in listings, every detail in `show`.</summary>
internal static class MachineTable
{
    public static Table Rows(IEnumerable<MachineView> machines)
    {
        var table = Output.Table("ID", "HARDWARE NAME", "HOSTNAME", "SITE", "RACK/UNIT", "SKU", "ROLE", "STATE", "MAINTENANCE");
        foreach (var m in machines)
            Output.Row(table, m.Id, m.HardwareName, m.Hostname, m.Site, Place(m), m.Sku, m.Role, m.State, m.Maintenance);
        return table;
    }

    public static IRenderable Details(MachineView m)
    {
        var parts = new List<IRenderable>
        {
            Output.Details(
                ("id", m.Id), ("hardware name", m.HardwareName), ("serial", m.Serial), ("vendor", m.Vendor), ("model", m.Model),
                ("site", m.Site), ("rack/unit", Place(m)), ("sku", m.Sku), ("hostname", m.Hostname), ("role", m.Role),
                ("team", m.Team), ("state", m.State), ("maintenance", Maintenance(m)), ("tags", m.Tags),
                ("bmc", Bmc(m.Bmc)), ("bmc health", m.Bmc is null ? null : Health(m.Bmc.Health)), ("hardware", Hardware(m.Hardware)),
                ("created", m.CreatedAt), ("updated", m.UpdatedAt)),
        };
        if (m.Nics.Count > 0)
        {
            var nics = Output.Table("MAC", "NAME", "IP");
            foreach (var nic in m.Nics) Output.Row(nics, nic.Mac, nic.Name, nic.Ip);
            parts.Add(new Text(""));
            parts.Add(nics);
        }
        return new Rows(parts);
    }

    /// <summary>"lon1 r01/12": rack and unit, or whichever of them is known.</summary>
    public static string? Place(MachineView m) => (m.Rack, m.Unit) switch
    {
        (null, null) => null,
        (var rack, null) => rack,
        (null, var unit) => $"?/{unit}",
        var (rack, unit) => $"{rack}/{unit}",
    };

    public static string Maintenance(MachineView m) =>
        !m.Maintenance ? "off" : m.MaintenanceReason is { Length: > 0 } reason ? $"on ({reason})" : "on";

    // The password itself is never returned by the server; saying whether one is set is what an operator needs.
    private static string? Bmc(BmcView? bmc) => bmc is null ? null
        : $"{bmc.Driver} {bmc.Address}:{bmc.Port}, user {bmc.Username ?? "-"}, password {(bmc.HasPassword ? "set" : "not set")}";

    /// <summary>The broker's circuit breaker for this BMC: whether jobs reach it, and if not since when, the last error
    /// and when the broker tries it again. No record means no job ever failed on it.</summary>
    public static string Health(BmcHealthView? health)
    {
        if (health is null) return "ok (no failure recorded)";
        var text = $"{Output.Cell(health.Status)} since {Output.Time(health.Since)}";
        if (health.Failures > 0) text += $", {health.Failures} failure(s) in a row";
        if (health.LastError is { Length: > 0 } error) text += $"; last error: {error}";
        if (health.RetryAfter is { } retry) text += $"; jobs on it wait until {Output.Time(retry)}";
        return text;
    }

    private static string? Hardware(HardwareFacts? hw)
    {
        if (hw is null) return null;
        var parts = new List<string>();
        if (hw.CpuCores is { } cores) parts.Add($"{cores} cores" + (hw.CpuModel is { } model ? $" ({model})" : ""));
        if (hw.MemoryGb is { } memory) parts.Add($"{memory} GB memory");
        if (hw.Disks is { Count: > 0 } disks) parts.Add("disks " + string.Join(", ", disks.Select(d => $"{d.Name ?? "?"} {d.SizeGb} GB{(d.Kind is { } k ? " " + k : "")}")));
        return parts.Count == 0 ? null : string.Join("; ", parts);
    }
}
