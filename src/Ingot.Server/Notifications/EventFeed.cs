using Ingot.Server.Data;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ingot.Server.Notifications;

/// <summary>Each node's one reading of the outbox, every <see cref="NotificationOptions.Poll"/>: it reads what is new, in
/// stream order, into a window of the latest <see cref="NotificationOptions.FeedWindow"/> events, so that the streams and
/// deliveries it serves wait on a signal instead of each querying, and fifty subscriptions to the same events read them
/// once, not fifty times (and parse and serialise each once). A reader whose cursor is older than the window reads the
/// database. Any node sees every node's events: the database is the only channel (DESIGN.md §4.3).</summary>
public sealed partial class EventFeed(Database db, NotificationOptions options, ILogger<EventFeed> log) : BackgroundService
{
    private TaskCompletionSource moved = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock sync = new();
    private EventPosition head;

    /// <summary>Every event after <see cref="low"/> up to <see cref="head"/>, in stream order; empty until the first read.</summary>
    private readonly List<EventRow> window = [];
    private EventPosition low;
    private bool reading;

    /// <summary>Events after <paramref name="after"/> that pass <paramref name="filter"/>, at most <paramref name="limit"/>,
    /// from the window; and how far that answer reaches (the last event looked at, or the head when the window was read to
    /// its end: a cursor may move there). Null when the window does not reach back to <paramref name="after"/>.</summary>
    public (List<EventRow> Rows, EventPosition Through)? Recent(EventPosition after, EventFilter filter, int limit)
    {
        lock (sync)
        {
            if (!reading || after < low) return null;
            var rows = new List<EventRow>();
            var i = FirstAfter(after);
            for (; i < window.Count && rows.Count < limit; i++)
                if (filter.Matches(window[i])) rows.Add(window[i]);
            return (rows, rows.Count == limit && rows.Count > 0 ? rows[^1].Position : head);
        }
    }

    /// <summary>The index of the first event of the window after <paramref name="after"/> (binary search: stream order).</summary>
    private int FirstAfter(EventPosition after)
    {
        int lo = 0, hi = window.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (window[mid].Position > after) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    /// <summary>The newest settled position this node has seen.</summary>
    public EventPosition Head
    {
        get { lock (sync) return head; }
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
                if (await ReadAsync(stoppingToken))
                    Interlocked.Exchange(ref moved, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
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

    /// <summary>Reads what is new into the window (the first time, only where the head is); true when the head moved.</summary>
    private async Task<bool> ReadAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        if (!reading)
        {
            var start = await EventLog.HeadAsync(c);
            lock (sync) { head = low = start; reading = true; }
            return true;
        }
        var from = Head;
        var moved = false;
        while (true)
        {
            // Read as any reader does (EventLog.ReadAsync: settled transactions only), so the window has no gap.
            var rows = await EventLog.ReadAsync(c, EventFilter.All, from, 1_000);
            if (rows.Count == 0) return moved;
            lock (sync)
            {
                window.AddRange(rows);
                head = from = rows[^1].Position;
                var over = window.Count - options.FeedWindow;
                if (over > 0)
                {
                    low = window[over - 1].Position;
                    window.RemoveRange(0, over);
                }
            }
            moved = true;
            if (rows.Count < 1_000) return true;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the event log's head; streams and deliveries wait for the next look")]
    private static partial void LogPollFailed(ILogger logger, Exception e);
}
