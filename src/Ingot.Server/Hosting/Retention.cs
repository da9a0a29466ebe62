using Ingot.Server.Boot;
using Ingot.Server.Data;
using Ingot.Server.Jobs;
using Ingot.Server.SelfService;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ingot.Server.Hosting;

/// <summary>How long rows that only grow are kept (INGOT_RETENTION_* variables); a zero keeps them for ever.</summary>
public sealed record RetentionOptions
{
    /// <summary>Hours an expired boot token is kept past its expiry (it is refused from then on). Default a day.</summary>
    public int BootTokenHours { get; init; } = 24;

    /// <summary>Days an ended job keeps its installer events after it ended. Default 90.</summary>
    public int JobEventDays { get; init; } = 90;

    /// <summary>Days audit records are kept. Default a year.</summary>
    public int AuditDays { get; init; } = 365;

    /// <summary>Days the event log keeps an event (the list, streams resumed from an old id, subscriptions that far
    /// behind). Default 90.</summary>
    public int EventDays { get; init; } = 90;

    /// <summary>Days the delivery log keeps an attempt, dead letters included. Default 30.</summary>
    public int DeliveryDays { get; init; } = 30;

    /// <summary>Days a BMC's health history keeps a change (its current health is kept whatever its age). Default 90.</summary>
    public int BmcHealthDays { get; init; } = 90;

    /// <summary>How often each node prunes. Default hourly.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Rows one delete statement removes at most.</summary>
    public int BatchRows { get; init; } = 1000;
}

/// <summary>What one pass deleted.</summary>
public sealed record RetentionPass(long BootTokens, long JobEvents, long AuditRecords, long Events = 0, long Deliveries = 0, long BmcHealth = 0)
{
    public long Total => BootTokens + JobEvents + AuditRecords + Events + Deliveries + BmcHealth;
}

/// <summary>Prunes what would otherwise grow for ever (issue 11 B.4, issue 14): expired boot tokens, the installer events
/// of long-ended jobs, old audit records, old events, delivery attempts and BMC health changes. Each owner deletes its
/// own rows (Boot, Jobs, SelfService, Data, Notifications); this only keeps the time.
/// Every node runs it, unled: deletes are idempotent and batched, so two nodes pruning at once cost a little double
/// work, never a long lock or a wrong row.</summary>
public sealed partial class Retention(Database db, RetentionOptions options, TimeProvider clock, ILogger<Retention> log) : BackgroundService
{
    public async Task<RetentionPass> RunOnceAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var batch = options.BatchRows;
        return new RetentionPass(
            options.BootTokenHours > 0 ? await BootTokens.PruneAsync(db, now.AddHours(-options.BootTokenHours), batch, ct) : 0,
            options.JobEventDays > 0 ? await JobEventRow.PruneAsync(db, now.AddDays(-options.JobEventDays), batch, ct) : 0,
            options.AuditDays > 0 ? await Audit.PruneAsync(db, now.AddDays(-options.AuditDays), batch, ct) : 0,
            options.EventDays > 0 ? await Events.PruneAsync(db, now.AddDays(-options.EventDays), batch, ct) : 0,
            options.DeliveryDays > 0 ? await Notifications.Subscriptions.PruneLogAsync(db, now.AddDays(-options.DeliveryDays), batch, ct) : 0,
            options.BmcHealthDays > 0 ? await BmcHealthEvents.PruneAsync(db, now.AddDays(-options.BmcHealthDays), batch, ct) : 0);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The first pass falls somewhere in the first interval, so nodes started together do not prune together.
        var wait = options.Interval * Random.Shared.NextDouble();
        while (true)
        {
            try
            {
                await Task.Delay(wait, clock, stoppingToken);
                var pass = await RunOnceAsync(stoppingToken);
                if (pass.Total > 0) LogPruned(pass.BootTokens, pass.JobEvents, pass.AuditRecords, pass.Events, pass.Deliveries, pass.BmcHealth);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The next pass tries again; what this one deleted stays deleted.
                LogFailed(e);
            }
            wait = options.Interval;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pruned {BootTokens} expired boot tokens, {JobEvents} installer events of ended jobs, {AuditRecords} audit records, {Events} events, {Deliveries} delivery attempts and {BmcHealth} BMC health changes")]
    private partial void LogPruned(long bootTokens, long jobEvents, long auditRecords, long events, long deliveries, long bmcHealth);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pruning old rows failed; the next pass tries again")]
    private partial void LogFailed(Exception e);
}
