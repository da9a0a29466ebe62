using Ingot.Client;
using Ingot.Server.Api;
using Ingot.Server.Data;
using Ingot.Server.Inventory;

namespace Ingot.Server.Jobs;

/// <summary>A BMC's health changing (ok, degraded, unreachable), from a job's step or the BMC watch: a row of its history
/// and a bmc.health_changed event (docs/events.md), in the transaction that changes bmc_health.</summary>
public static class BmcHealthEvents
{
    public const string Changed = "bmc.health_changed";

    public static async Task ChangedAsync(DataContext c, long machineId, string from, string to, string? error, DateTimeOffset now)
    {
        await c.ExecuteAsync("INSERT INTO bmc_health_history (machine_id, status, error, at) VALUES (@machineId, @to, @error, @now)",
            new { machineId, to, error, now });
        var machine = await c.ExecuteScalarAsync<string>("SELECT COALESCE(hostname, hardware_name) FROM machines WHERE id = @machineId", new { machineId });
        await MachineEvents.WriteAsync(c, Changed, machineId, new { MachineId = machineId, Machine = machine, From = from, To = to, Error = error }, now);
    }

    /// <summary>The latest <paramref name="limit"/> changes, newest first.</summary>
    public static async Task<List<BmcHealthChange>> HistoryAsync(DataContext c, long machineId, int limit) =>
        [.. (await c.QueryAsync<Row>("SELECT status, error, at FROM bmc_health_history WHERE machine_id = @machineId ORDER BY id DESC LIMIT @limit",
                new { machineId, limit }))
            .Select(r => new BmcHealthChange(Wire.TryParse<BmcHealthStatus>(r.Status, out var s) ? s : BmcHealthStatus.Ok, r.Error, r.At))];

    private sealed class Row
    {
        public string Status { get; init; } = "";
        public string? Error { get; init; }
        public DateTimeOffset At { get; init; }
    }

    /// <summary>Deletes health changes older than <paramref name="before"/> (retention); bmc_health, the current one, stays.</summary>
    public static Task<long> PruneAsync(Database db, DateTimeOffset before, int batch, CancellationToken ct) =>
        Pruning.DeleteOlderAsync(db, "bmc_health_history", before, batch, ct);
}
