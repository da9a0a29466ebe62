using Dapper;
using Ingot.Server.Data;
using Ingot.Server.Jobs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ingot.Server.Capacity;

/// <summary>Keeps every open provisioning request moving (a continuous reconciler, not a twice-daily run): each tick, the
/// node holding the "requests" lease runs a <see cref="RequestPass"/> over every request that is not finished, whose
/// machines are still being given back, or one of whose machines left it by another way (recycled by hand, reclaimed,
/// broken after its install). Any node may hold the lease; one that dies loses it after
/// <see cref="RequestOptions.Lease"/> and another carries on, since every pass starts from the database.</summary>
public sealed partial class RequestReconciler(Database db, RequestPass pass, JobSubmission jobs, RequestOptions options, DatabaseJobQueue queue,
                                              TimeProvider clock, ILogger<RequestReconciler> log) : BackgroundService
{
    public const string LeaseName = "requests";

    /// <summary>One tick: false when another node holds the lease.</summary>
    public async Task<bool> RunOnceAsync(CancellationToken ct)
    {
        if (!await LoopLeases.TryHoldAsync(db, LeaseName, queue.NodeId, options.Lease, clock.GetUtcNow(), ct)) return false;
        List<long> open;
        await using (var c = await db.OpenAsync(ct))
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
                queued |= await db.InTransactionAsync(c => pass.RunAsync(c, id), ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One request's trouble (a hostname clash, a deleted role) must not stop the others'.
                LogPassFailed(e, id);
            }
        }
        if (queued) jobs.WakeWorkers();
        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
                // Jittered, so that nodes started together do not all try for the lease at once.
                await Task.Delay(options.Interval * (0.8 + 0.4 * Random.Shared.NextDouble()), clock, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LogTickFailed(e);
                await Task.Delay(options.Interval, clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        try
        {
            await LoopLeases.ReleaseAsync(db, LeaseName, queue.NodeId, CancellationToken.None);
        }
        catch (Exception e)
        {
            LogReleaseFailed(e);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The pass over provisioning request {Id} failed; the next tick tries again")]
    private partial void LogPassFailed(Exception e, long id);

    [LoggerMessage(Level = LogLevel.Error, Message = "A tick of the request reconciler failed; the next one tries again")]
    private partial void LogTickFailed(Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not give up the request reconciler's lease; another node takes it when it expires")]
    private partial void LogReleaseFailed(Exception e);
}
