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
}
