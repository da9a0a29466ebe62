using Ingot.Client;
using Ingot.Server.Data;

namespace Ingot.Server.Jobs;

/// <summary>A job_events row: what an image posted to /boot/events for a job.</summary>
public sealed class JobEventRow
{
    public long JobId { get; init; }
    public int Attempt { get; init; }
    public string Event { get; init; } = "";
    public string? Step { get; init; }
    public int? Percent { get; init; }
    public string? Message { get; init; }
    public string? Log { get; init; }
    public DateTimeOffset At { get; init; }

    public JobEventView View() => new(Attempt, Event, Step, Percent, Message, Log, At);

    /// <summary>The job's events (of one attempt, or all), oldest first, at most the last <paramref name="limit"/>.</summary>
    public static async Task<IReadOnlyList<JobEventView>> ReadAsync(DataContext c, long jobId, int? attempt, int limit)
    {
        var rows = await c.QueryAsync<JobEventRow>(
            $"""
            SELECT job_id, attempt, event, step, percent, message, log, at FROM job_events
            WHERE job_id = @jobId{(attempt is null ? "" : " AND attempt = @attempt")} ORDER BY id DESC LIMIT @limit
            """, new { jobId, attempt, limit });
        return [.. rows.Reverse().Select(r => r.View())];
    }

    /// <summary>Records what an image reported for attempt <paramref name="attempt"/> of a job and, unless it is mere
    /// progress, wakes the job if it is parked in a waiting step (back to the queue, to read the event now). An event
    /// already recorded for the attempt is a replay (an installer retrying a callback whose answer it lost, or someone
    /// replaying what they saw): acknowledged without writing it again or waking the job (issue 11 B.1).</summary>
    /// <param name="spent">The token has been spent by its attempt's terminal event: only a replay of that is acknowledged.</param>
    /// <remarks>The job's row is locked first: either its worker parks after this commits (and counts this event), or
    /// the park commits first and the wake finds it parked. Without the lock a wake-up could fall in between; and two
    /// copies of one event could both find it not yet recorded.</remarks>
    public static async Task<EventRecord> RecordAsync(DataContext c, long jobId, int attempt, string kind, BootEvent report, string? log,
                                                      bool spent, DateTimeOffset now)
    {
        var job = await c.QuerySingleOrDefaultAsync<JobAttemptRow>("SELECT status, attempt FROM jobs WHERE id = @jobId" + Sql.ForUpdate(c), new { jobId });
        // Woken by an event, a job is queued again within the same attempt; a retry is queued with the next attempt.
        var current = job is { Status: "running" or "queued" } && job.Attempt == attempt;
        var args = new { jobId, attempt, kind, step = report.Step, percent = report.Percent, message = report.Message, log, now };
        var terminal = kind is "finished" or "failed";
        if ((current || spent && terminal) && await RecordedAsync(c, args)) return EventRecord.Replayed;
        if (!current) return job is null or { Status: "succeeded" or "failed" or "cancelled" } ? EventRecord.JobEnded : EventRecord.OtherAttempt;
        if (spent) return EventRecord.Spent;
        await c.ExecuteAsync(
            "INSERT INTO job_events (job_id, attempt, event, step, percent, message, log, at) VALUES (@jobId, @attempt, @kind, @step, @percent, @message, @log, @now)",
            args);
        // Progress changes nothing a waiting step decides on, so it does not cost the job a claim.
        if (kind == "progress") return EventRecord.Recorded;
        return await c.ExecuteAsync("UPDATE jobs SET status = 'queued', lease_expires = NULL WHERE id = @jobId AND status = 'running' AND lease_owner IS NULL",
            new { jobId }) > 0 ? EventRecord.Woke : EventRecord.Recorded;
    }

    /// <summary>Whether the attempt already has this event: the same kind, step, percent and message (the log is the
    /// installer's tail and may have grown; it does not make another event).</summary>
    private static async Task<bool> RecordedAsync(DataContext c, object args) =>
        await c.ExecuteScalarAsync<long>(
            """
            SELECT COUNT(*) FROM job_events
            WHERE job_id = @jobId AND attempt = @attempt AND event = @kind
              AND COALESCE(step, '') = COALESCE(@step, '') AND COALESCE(percent, -1) = COALESCE(@percent, -1)
              AND COALESCE(message, '') = COALESCE(@message, '')
            """, args) > 0;

    /// <summary>Deletes the events of jobs that ended before <paramref name="endedBefore"/> (issue 11 B.4). A job that has
    /// not ended keeps all of its events, however old: its waiting steps read them. The job itself stays.</summary>
    public static Task<long> PruneAsync(Database db, DateTimeOffset endedBefore, int batch, CancellationToken ct) =>
        Pruning.DeleteInBatchesAsync(db,
            // An ended job's events all came before its end: the condition on e.at lets the index on it pick the candidates.
            """
            DELETE FROM job_events WHERE id IN (
                SELECT e.id FROM job_events e JOIN jobs j ON j.id = e.job_id
                WHERE e.at < @before AND j.ended_at < @before AND j.status IN ('succeeded', 'failed', 'cancelled')
                ORDER BY e.id LIMIT @batch)
            """, endedBefore, batch, ct);

    private sealed class JobAttemptRow
    {
        public string Status { get; init; } = "";
        public int Attempt { get; init; }
    }
}

/// <summary>What became of an image's event.</summary>
public enum EventRecord
{
    /// <summary>Written; the job was not parked (or the event was progress), so nothing needed waking.</summary>
    Recorded,
    /// <summary>Written, and the parked job is back in the queue: wake the workers once the transaction commits.</summary>
    Woke,
    /// <summary>Already recorded for the attempt: acknowledged, nothing written, nobody woken.</summary>
    Replayed,
    /// <summary>The token's attempt is over and the job is on another one: refused.</summary>
    OtherAttempt,
    /// <summary>The job has ended: refused.</summary>
    JobEnded,
    /// <summary>The token was spent by its attempt's terminal event, and this is another event: refused.</summary>
    Spent,
}
