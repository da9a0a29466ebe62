using Dapper;
using Ingot.Server.Data;
using Ingot.Server.Jobs;
using Microsoft.Extensions.Logging;

namespace Ingot.Server.Capacity;

/// <summary>Keeps every open provisioning request moving (a continuous reconciler, not a twice-daily run): each tick, the
/// node holding the "requests" lease runs a <see cref="RequestPass"/> over every request that is not finished, whose
/// machines are still being given back, or one of whose machines left it by another way (recycled by hand, reclaimed,
/// broken after its install). Any node may hold the lease; one that dies loses it after
/// <see cref="RequestOptions.Lease"/> and another carries on, since every pass starts from the database.</summary>
public sealed partial class RequestReconciler(Database db, RequestPass pass, JobSubmission jobs, RequestOptions options, DatabaseJobQueue queue,
                                              TimeProvider clock, ILogger<RequestReconciler> log)
    : LeasedLoop(LeaseName, queue.NodeId, options.Interval, options.Lease, db, clock, log)
{
    public const string LeaseName = "requests";

    /// <summary>One tick: false when another node holds the lease.</summary>
    public async Task<bool> RunOnceAsync(CancellationToken ct)
    {
        if (!await HoldAsync(ct)) return false;
        List<long> open;
        await using (var c = await Db.OpenAsync(ct))
            open = (await c.QueryAsync<long>(
                $"""
                SELECT id FROM provisioning_requests WHERE status NOT IN ('fulfilled', 'failed', 'cancelled', 'expired')
                    OR (kind = 'pool' AND status <> 'cancelled')
                    OR (expires_at IS NOT NULL AND lease_expired_at IS NULL AND status NOT IN ('cancelled', 'expired'))
                UNION SELECT request_id FROM request_machines WHERE status IN ('installing', 'releasing')
                UNION SELECT rm.request_id FROM request_machines rm JOIN machines m ON m.id = rm.machine_id
                    WHERE rm.status = 'in_use' AND m.state IN ({string.Join(", ", RequestPass.LeftStates.Select(x => $"'{x}'"))})
                ORDER BY 1
                """)).AsList();
        var queued = false;
        foreach (var id in open)
        {
            try
            {
                queued |= await Db.InTransactionAsync(c => pass.RunAsync(c, id), ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One request's trouble (a hostname clash, a deleted role) must not stop the others'.
                LogPassFailed(Log, e, id);
            }
        }
        if (queued) jobs.WakeWorkers();
        return true;
    }

    protected override Task TickAsync(CancellationToken ct) => RunOnceAsync(ct);

    [LoggerMessage(Level = LogLevel.Error, Message = "The pass over provisioning request {Id} failed; the next tick tries again")]
    private static partial void LogPassFailed(ILogger logger, Exception e, long id);
}
