using System.Diagnostics;
using Dapper;
using Ingot.Client;
using Ingot.Server.Data;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ingot.Server.Notifications;

/// <summary>Delivers subscriptions, on every node: a subscription is claimed by one node at a time (a lease on its row,
/// taken with SKIP LOCKED on PostgreSQL), which sends its events in stream order from the subscription's cursor (read
/// from the node's feed when recent, <see cref="EventFeed.Recent"/>), one after another, and writes the cursor, the delivery log and the lease back every chunk. At least once: a node killed
/// mid-chunk loses its lease, and the next node sends that chunk's unwritten part again. A failed attempt waits (doubling,
/// with jitter) before the next; after <see cref="NotificationOptions.MaxAttempts"/> the event is dead (the delivery log's
/// dead letters) and the next one goes.</summary>
public sealed partial class Deliveries(Database db, EventFeed feed, NotificationOptions options, SecretBox secrets, TimeProvider clock,
                                       ILogger<Deliveries> log) : BackgroundService
{
    private readonly string node = LeasedLoop.NewHolder();
    private readonly HttpClient http = HttpChannel.NewClient(options.AllowNetworks);
    private readonly EndpointBreaker breaker = new(options, clock);
    private int running;

    /// <summary>How often progress is written while a chunk is still being sent to a slow receiver (and the lease renewed).</summary>
    private static readonly TimeSpan FlushEvery = TimeSpan.FromSeconds(2);

    private IDeliveryChannel ChannelOf(SubscriptionRow s) => s.Kind switch
    {
        DeliveryChannel.Email => new EmailChannel(options.Smtp),
        DeliveryChannel.Chat => new HttpChannel(http, chat: true, clock),
        _ => new HttpChannel(http, chat: false, clock),
    };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var runs = new List<Task>();
        while (!stoppingToken.IsCancellationRequested)
        {
            var head = feed.Head;
            try
            {
                var free = options.Concurrency - Volatile.Read(ref running);
                if (free > 0)
                    foreach (var subscription in await ClaimAsync(free, stoppingToken))
                    {
                        Interlocked.Increment(ref running);
                        runs.Add(Task.Run(async () =>
                        {
                            try { await RunAsync(subscription, stoppingToken); }
                            finally { Interlocked.Decrement(ref running); }
                        }, CancellationToken.None));
                    }
                runs.RemoveAll(t => t.IsCompleted);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LogClaimFailed(log, e);
            }
            try
            {
                await feed.WaitAsync(head, options.Poll, stoppingToken);
                await Task.Delay(TimeSpan.FromMilliseconds(5), stoppingToken); // runs that just ended hand their leases back first
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        await Task.WhenAll(runs);
        http.Dispose();
    }

    /// <summary>Subscriptions this node found caught up, and until when it leaves them be (<see cref="NotificationOptions.Rest"/>).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, DateTimeOffset> resting = new();

    /// <summary>Takes up to <paramref name="max"/> subscriptions that have events past their cursor, are due (no retry
    /// waiting, not resting here) and that no live node holds.</summary>
    private async Task<List<SubscriptionRow>> ClaimAsync(int max, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var head = feed.Head; // the feed's own look at the head, not another query
        foreach (var (id, until) in resting)
            if (until <= now) resting.TryRemove(id, out _);
        long[] resters = [.. resting.Keys];
        var rest = Sql.List(resters);
        string Claimable(DataContext c) =>
            $"""
            FROM subscriptions x
            WHERE x.enabled = TRUE AND (x.lease_owner IS NULL OR x.lease_expires < @now) AND (x.retry_at IS NULL OR x.retry_at <= @now)
              AND (x.cursor_tx, x.cursor_id) < (@tx, @id){(resters.Length > 0 ? $" AND NOT ({Sql.AnyOf(c, "x.id", "rest")})" : "")}
            """;
        var args = new { node, expires = now + options.Lease, now, tx = head.Tx, id = head.Id, max, rest };
        // A read first: every node looks every poll, and most looks find nothing, which must not take SQLite's write lock.
        await using (var read = await db.OpenAsync(ct))
            if (await read.ExecuteScalarAsync<long?>($"SELECT x.id {Claimable(read)} LIMIT 1", args) is null) return [];
        var ids = await db.InTransactionAsync(async c => (await c.QueryAsync<long>(
            $"""
            UPDATE subscriptions SET lease_owner = @node, lease_expires = @expires
            WHERE id IN (SELECT x.id {Claimable(c)} ORDER BY x.id LIMIT @max{Sql.ForUpdateSkipLocked(c, "x")})
            RETURNING id
            """, args)).AsList(), ct);
        if (ids.Count == 0) return [];
        await using var rows = await db.OpenAsync(ct);
        return (await rows.QueryAsync<SubscriptionRow>($"{Subscriptions.Select} WHERE {Sql.AnyOf(rows, "s.id", "ids")}", new { ids = Sql.List(ids) })).AsList();
    }

    private sealed record Attempt(long EventId, int Number, string Outcome, int? StatusCode, string? Error, int Ms, DateTimeOffset At);

    /// <summary>One subscription, until it is caught up, must wait for a retry, or its lease is lost.</summary>
    private async Task RunAsync(SubscriptionRow s, CancellationToken ct)
    {
        var channel = ChannelOf(s);
        var endpoint = channel.Endpoint(s);
        var progress = new Progress(s.Cursor, s.Attempts);
        var filter = s.Filter;
        try
        {
            // Inside the try: a secret this node cannot open is a logged failure that waits and is tried again, not a run
            // that dies silently and leaves its lease to expire.
            string? secret = null;
            if (s.Secret is not null && !secrets.TryOpen(s.Secret, out secret))
                throw new InvalidOperationException("this node cannot open the webhook's signing secret: its INGOT_SECRET_KEY is not the one of the node that made the subscription");
            var lastFlush = Stopwatch.StartNew();
            while (!ct.IsCancellationRequested)
            {
                // From the node's window of recent events when it reaches back to the cursor (the usual case: one read
                // of each event for all subscriptions), else from the database.
                List<EventRow> rows;
                EventPosition head;
                if (feed.Recent(progress.Cursor, filter, options.Chunk) is { } recent)
                    (rows, head) = recent;
                else
                    await using (var c = await db.OpenAsync(ct))
                    {
                        head = await EventLog.HeadAsync(c);
                        rows = await EventLog.ReadAsync(c, filter, progress.Cursor, options.Chunk);
                    }
                foreach (var row in rows)
                {
                    if (breaker.OpenUntil(endpoint) is { } until)
                    {
                        progress.Wait(until, $"{endpoint} failed {options.BreakerThreshold} times in a row; tried again from {until:u}");
                        break;
                    }
                    await SendAsync(channel, endpoint, s, secret, row, progress, ct);
                    if (progress.RetryAt is not null) break;
                    if (lastFlush.Elapsed >= FlushEvery)
                    {
                        if (!await FlushAsync(s, progress, release: false, ct)) return;
                        lastFlush.Restart();
                    }
                }
                if (progress.RetryAt is not null) break;
                if (rows.Count < options.Chunk)
                {
                    if (head > progress.Cursor) progress.Cursor = head; // read up to the head: what the filter left out is passed
                    // Caught up: its next events wait a moment here and go together, rather than a claim and a release (two
                    // commits) per subscription per poll — fifty of those queued PostgreSQL's job commits behind the WAL.
                    if (options.Rest > TimeSpan.Zero) resting[s.Id] = clock.GetUtcNow() + options.Rest;
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // stopping: what was sent is written below; the rest is sent by whichever node takes the subscription next
        }
        catch (Exception e)
        {
            LogRunFailed(log, e, s.Id);
            progress.Wait(clock.GetUtcNow() + options.RetryFirst, e.Message);
        }
        try
        {
            await FlushAsync(s, progress, release: true, CancellationToken.None);
        }
        catch (Exception e)
        {
            LogRunFailed(log, e, s.Id);
        }
    }

    private async Task SendAsync(IDeliveryChannel channel, string endpoint, SubscriptionRow s, string? secret, EventRow row, Progress progress,
                                 CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        DeliveryResult result;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            timeout.CancelAfter(options.DeliveryTimeout);
            try
            {
                result = await channel.SendAsync(s, secret, row, timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                result = new DeliveryResult(false, null, $"{endpoint} did not answer within {options.DeliveryTimeout.TotalSeconds:0.#} s");
            }
        }
        var now = clock.GetUtcNow();
        var ms = (int)Math.Min(int.MaxValue, watch.ElapsedMilliseconds);
        var attempt = progress.Attempts + 1;
        var outcome = result.Delivered ? "delivered" : attempt >= options.MaxAttempts ? "dead" : "failed";
        DeliveryMetrics.Attempted(s.Channel, outcome);
        if (result.Delivered)
        {
            DeliveryMetrics.Delivered(s.Channel, now - row.At);
            breaker.Succeeded(endpoint);
            progress.Log.Add(new Attempt(row.Id, attempt, "delivered", result.StatusCode, null, ms, now));
            progress.Passed(row.Position, delivered: true, now);
            return;
        }
        breaker.Failed(endpoint);
        if (attempt >= options.MaxAttempts)
        {
            progress.Log.Add(new Attempt(row.Id, attempt, "dead", result.StatusCode, result.Error, ms, now));
            progress.Passed(row.Position, delivered: false, now);
            progress.LastError = result.Error;
            return;
        }
        progress.Log.Add(new Attempt(row.Id, attempt, "failed", result.StatusCode, result.Error, ms, now));
        progress.Attempts = attempt;
        var wait = Math.Min(options.RetryMax.TotalMilliseconds, options.RetryFirst.TotalMilliseconds * Math.Pow(2, attempt - 1));
        progress.Wait(now + TimeSpan.FromMilliseconds(wait * (0.75 + 0.5 * Random.Shared.NextDouble())), result.Error);
    }

    /// <summary>What a run has done and not yet written.</summary>
    private sealed class Progress(EventPosition cursor, int attempts)
    {
        public EventPosition Cursor { get; set; } = cursor;
        public int Attempts { get; set; } = attempts;
        public DateTimeOffset? RetryAt { get; private set; }
        public string? LastError { get; set; }
        public long Delivered { get; set; }
        public long Dead { get; set; }
        public DateTimeOffset? LastDeliveredAt { get; set; }
        public List<Attempt> Log { get; } = [];

        public void Passed(EventPosition position, bool delivered, DateTimeOffset now)
        {
            Cursor = position;
            Attempts = 0;
            if (delivered) { Delivered++; LastDeliveredAt = now; LastError = null; }
            else Dead++;
        }

        public void Wait(DateTimeOffset until, string? why)
        {
            RetryAt = until;
            LastError = why;
        }
    }

    /// <summary>Writes the cursor, counts and the attempts' log, fenced by this node's lease; renews it, or gives it up.
    /// False when the lease was lost (another node took the subscription: it sends from the last written cursor).</summary>
    private async Task<bool> FlushAsync(SubscriptionRow s, Progress p, bool release, CancellationToken ct)
    {
        var attempts = p.Log.ToArray();
        var kept = await db.InTransactionAsync(async c =>
        {
            var args = new DynamicParameters(new
            {
                s.Id, node, tx = p.Cursor.Tx, cursor = p.Cursor.Id, attempts = p.Attempts, lastError = p.LastError, delivered = p.Delivered, dead = p.Dead,
                owner = release ? null : node,
            });
            args.Add("retryAt", DapperSetup.Stored(c, p.RetryAt));
            args.Add("lastDelivered", DapperSetup.Stored(c, p.LastDeliveredAt));
            args.Add("expires", release ? null : DapperSetup.Stored(c, clock.GetUtcNow() + options.Lease));
            var rows = await c.ExecuteAsync(
                """
                UPDATE subscriptions SET cursor_tx = @tx, cursor_id = @cursor, attempts = @attempts, retry_at = @retryAt, last_error = @lastError,
                    delivered = delivered + @delivered, dead = dead + @dead, last_delivered_at = COALESCE(@lastDelivered, last_delivered_at),
                    lease_owner = @owner, lease_expires = @expires
                WHERE id = @Id AND lease_owner = @node
                """, args);
            if (rows == 0 || attempts.Length == 0) return rows;
            var log = new BulkRows(("event_id", attempts.Select(a => a.EventId).ToArray()), ("attempt", attempts.Select(a => a.Number).ToArray()),
                ("outcome", attempts.Select(a => a.Outcome).ToArray()), ("status_code", attempts.Select(a => a.StatusCode).ToArray()),
                ("error", attempts.Select(a => a.Error).ToArray()), ("duration_ms", attempts.Select(a => a.Ms).ToArray()),
                ("at", attempts.Select(a => c.IsPostgres ? a.At.ToString("O", System.Globalization.CultureInfo.InvariantCulture) : DapperSetup.SqliteText(a.At)).ToArray()));
            var logArgs = new DynamicParameters(new { s.Id });
            await c.ExecuteAsync(
                $"""
                INSERT INTO deliveries (subscription_id, event_id, attempt, outcome, status_code, error, duration_ms, at)
                SELECT @Id, CAST(r.event_id AS BIGINT), CAST(r.attempt AS INTEGER), r.outcome, CAST(r.status_code AS INTEGER), r.error,
                       CAST(r.duration_ms AS INTEGER), {(c.IsPostgres ? "CAST(r.at AS TIMESTAMPTZ)" : "r.at")}
                FROM {log.From(c, "r", logArgs)}
                """, logArgs);
            return rows;
        }, ct);
        p.Log.Clear();
        p.Delivered = p.Dead = 0;
        p.LastDeliveredAt = null;
        return kept == 1;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not claim subscriptions to deliver; trying again")]
    private static partial void LogClaimFailed(ILogger logger, Exception e);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivering subscription {Subscription} failed; it is tried again")]
    private static partial void LogRunFailed(ILogger logger, Exception e, long subscription);
}
