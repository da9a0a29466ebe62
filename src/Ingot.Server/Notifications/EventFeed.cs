using Ingot.Server.Data;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ingot.Server.Notifications;

/// <summary>Each node's one look at the outbox's head, every <see cref="NotificationOptions.Poll"/>, so that the streams
/// and deliveries it serves wait on a signal instead of each querying. Any node sees every node's events: the database
/// is the only channel (DESIGN.md §4.3).</summary>
public sealed partial class EventFeed(Database db, NotificationOptions options, ILogger<EventFeed> log) : BackgroundService
{
    private TaskCompletionSource moved = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock sync = new();
    private EventPosition head;

    /// <summary>The newest settled position this node has seen.</summary>
    public EventPosition Head
    {
        get { lock (sync) return head; }
        private set { lock (sync) head = value; }
    }

    /// <summary>Returns when the head has moved past <paramref name="seen"/>, or after <paramref name="max"/>.</summary>
    public async Task WaitAsync(EventPosition seen, TimeSpan max, CancellationToken ct)
    {
        var next = Volatile.Read(ref moved);
        if (Head > seen) return;
        try
        {
            await next.Task.WaitAsync(max, ct);
        }
        catch (TimeoutException)
        {
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var c = await db.OpenAsync(stoppingToken);
                var now = await EventLog.HeadAsync(c);
                if (now != Head)
                {
                    Head = now;
                    Interlocked.Exchange(ref moved, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LogPollFailed(log, e);
            }
            try
            {
                await Task.Delay(options.Poll, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the event log's head; streams and deliveries wait for the next look")]
    private static partial void LogPollFailed(ILogger logger, Exception e);
}
