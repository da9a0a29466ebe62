using Ingot.Bmc;
using Ingot.Client;
using Ingot.Server.Api;
using Ingot.Server.Data;

namespace Ingot.Server.Jobs;

/// <summary>The per-BMC circuit breaker of the broker (DESIGN.md §6), fed by each BMC step's outcome (reported with the
/// step's end, <see cref="IJobQueue.EndStepAsync"/>) and read by the claim, which skips machines whose circuit is open.</summary>
public sealed class BmcCircuit(Database db, JobOptions options, TimeProvider clock)
{
    private sealed class HealthRow
    {
        public string Status { get; init; } = "ok";
        public int Failures { get; init; }
        public DateTimeOffset Since { get; init; }
    }

    /// <summary>The circuit breaker (DESIGN.md §6): each transient failure counts; at the threshold the BMC is
    /// 'unreachable' and its circuit opens for an exponentially growing time, during which the claim skips its
    /// machine's jobs. The first job after that is the trial: success closes the circuit, failure reopens it for
    /// longer. A fatal error (wrong password) leaves the BMC 'degraded' without opening the circuit: retrying
    /// would not help, and the job has already failed with the reason.</summary>
    /// <param name="decisive">The failure alone says the BMC is unreachable (the watch's probe, itself retried, between
    /// jobs): the circuit opens at once rather than after the threshold's count of step failures.</param>
    public async Task RecordAsync(long machineId, BmcException? error, CancellationToken ct, bool decisive = false)
    {
        if (error is null)
        {
            // The common case: a healthy BMC answered again. A plain read decides that nothing needs writing, without
            // taking SQLite's write lock twice per job.
            await using var read = await db.OpenAsync(ct);
            var status = await read.ExecuteScalarAsync<string?>("SELECT status FROM bmc_health WHERE machine_id = @machineId", new { machineId });
            if (status is null or "ok") return;
        }
        await RecordInTransactionAsync(machineId, error, decisive, ct);
    }

    private Task RecordInTransactionAsync(long machineId, BmcException? error, bool decisive, CancellationToken ct) =>
        db.InTransactionAsync(async c =>
        {
            var now = clock.GetUtcNow();
            var row = await c.QuerySingleOrDefaultAsync<HealthRow>(
                "SELECT status, failures, since FROM bmc_health WHERE machine_id = @machineId" + Sql.ForUpdate(c), new { machineId });
            if (error is null && (row is null || row is { Status: "ok" })) return 0; // the common case writes nothing
            var failures = error is { IsTransient: true } ? Math.Max((row?.Failures ?? 0) + 1, decisive ? options.BreakerThreshold : 0) : 0;
            var status = error is null ? BmcHealthStatus.Ok
                : failures >= options.BreakerThreshold ? BmcHealthStatus.Unreachable
                : BmcHealthStatus.Degraded;
            DateTimeOffset? retryAfter = status == BmcHealthStatus.Unreachable
                ? now + options.BreakerOpen.Delay(failures - options.BreakerThreshold, random: 0) : null;
            var since = row is not null && row.Status == Wire.Name(status) ? row.Since : now;
            var args = new { machineId, status = Wire.Name(status), failures, error = error?.Message, since, retryAfter };
            if ((row?.Status ?? "ok") != Wire.Name(status))
                await BmcHealthEvents.ChangedAsync(c, machineId, row?.Status ?? "ok", Wire.Name(status), error?.Message, now);
            return await c.ExecuteAsync(row is null
                ? "INSERT INTO bmc_health (machine_id, status, failures, last_error, since, retry_after) VALUES (@machineId, @status, @failures, @error, @since, @retryAfter)"
                : "UPDATE bmc_health SET status = @status, failures = @failures, last_error = COALESCE(@error, last_error), since = @since, retry_after = @retryAfter WHERE machine_id = @machineId",
                args);
        }, ct);

    /// <summary>Keeps quirks a step found (<see cref="BootQuirks"/>) in the BMC's health, so that operators see why its
    /// flags are not confirmed. The health row of a BMC that never failed is made for them (status ok). A plain read
    /// first: after the first job the quirks are known and nothing is written.</summary>
    public async Task LearnQuirksAsync(long machineId, IReadOnlyList<string> found, CancellationToken ct)
    {
        await using (var read = await db.OpenAsync(ct))
        {
            var known = await read.ExecuteScalarAsync<string?>("SELECT quirks FROM bmc_health WHERE machine_id = @machineId", new { machineId });
            if (Merge(known, found) == known) return;
        }
        await db.InTransactionAsync(async c =>
        {
            var row = await c.QuerySingleOrDefaultAsync<QuirksRow>(
                "SELECT quirks FROM bmc_health WHERE machine_id = @machineId" + Sql.ForUpdate(c), new { machineId });
            var quirks = Merge(row?.Quirks, found);
            if (row is not null && quirks == row.Quirks) return 0;
            return await c.ExecuteAsync(row is null
                ? "INSERT INTO bmc_health (machine_id, status, failures, since, quirks) VALUES (@machineId, @status, 0, @now, @quirks)"
                : "UPDATE bmc_health SET quirks = @quirks WHERE machine_id = @machineId",
                new { machineId, status = Wire.Name(BmcHealthStatus.Ok), now = clock.GetUtcNow(), quirks });
        }, ct);
    }

    private sealed class QuirksRow
    {
        public string? Quirks { get; init; }
    }

    /// <summary>The stored list (comma-separated, sorted) with <paramref name="found"/> added.</summary>
    private static string? Merge(string? known, IReadOnlyList<string> found)
    {
        var all = (known?.Split(',') ?? []).Union(found).Order(StringComparer.Ordinal).ToArray();
        return all.Length == 0 ? null : string.Join(',', all);
    }
}
