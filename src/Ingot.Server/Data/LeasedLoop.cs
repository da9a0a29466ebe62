using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ingot.Server.Data;

/// <summary>A loop that does its work on one node at a time (the request reconciler, the weekly cost summary): every
/// node ticks, jittered so that nodes started together do not all reach for the lease at once; the tick holds the
/// lease (<see cref="LoopLeases"/>) before it works; a tick's failure is logged and the next one tries again; a node
/// that stops gives the lease up, so another takes it at once rather than after its expiry.</summary>
public abstract partial class LeasedLoop(string name, string holder, TimeSpan interval, TimeSpan lease, Database db, TimeProvider clock, ILogger log)
    : BackgroundService
{
    /// <summary>A holder name no other loop instance has: this machine, this process, and a random part.</summary>
    public static string NewHolder() => $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";

    protected Database Db => db;
    protected TimeProvider Clock => clock;
    protected ILogger Log => log;

    /// <summary>Takes or renews this node's lease; false when another node holds it.</summary>
    protected Task<bool> HoldAsync(CancellationToken ct) => LoopLeases.TryHoldAsync(db, name, holder, lease, clock.GetUtcNow(), ct);

    /// <summary>One tick, with the lease already asked for by the subclass (<see cref="HoldAsync"/>).</summary>
    protected abstract Task TickAsync(CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await TickAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LogTickFailed(log, e, name);
            }
            try
            {
                await Task.Delay(interval * (0.8 + 0.4 * Random.Shared.NextDouble()), clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        try
        {
            await LoopLeases.ReleaseAsync(db, name, holder, CancellationToken.None);
        }
        catch (Exception e)
        {
            LogReleaseFailed(log, e, name);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A tick of the '{Loop}' loop failed; the next one tries again")]
    private static partial void LogTickFailed(ILogger logger, Exception e, string loop);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not give up the '{Loop}' loop's lease; another node takes it when it expires")]
    private static partial void LogReleaseFailed(ILogger logger, Exception e, string loop);
}
