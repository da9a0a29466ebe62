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
    /// progress, wakes the job if it is parked in a waiting step (back to the queue, to read the event now). Returns
    /// whether it woke the job (then wake the workers once the transaction commits).</summary>
    /// <remarks>The job's row is locked first: either its worker parks after this commits (and counts this event), or
    /// the park commits first and the wake finds it parked. Without the lock a wake-up could fall in between.</remarks>
    public static async Task<bool> RecordAsync(DataContext c, long jobId, int attempt, string kind, BootEvent report, string? log, DateTimeOffset now)
    {
        await c.QueryAsync<long>("SELECT id FROM jobs WHERE id = @jobId" + Sql.ForUpdate(c), new { jobId });
        await c.ExecuteAsync(
            "INSERT INTO job_events (job_id, attempt, event, step, percent, message, log, at) VALUES (@jobId, @attempt, @kind, @step, @percent, @message, @log, @now)",
            new { jobId, attempt, kind, step = report.Step, percent = report.Percent, message = report.Message, log, now });
        // Progress changes nothing a waiting step decides on, so it does not cost the job a claim.
        if (kind == "progress") return false;
        return await c.ExecuteAsync("UPDATE jobs SET status = 'queued', lease_expires = NULL WHERE id = @jobId AND status = 'running' AND lease_owner IS NULL",
            new { jobId }) > 0;
    }
}
