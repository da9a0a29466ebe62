using Ingot.Server.Data;

namespace Ingot.Server.Jobs;

/// <summary>Cancelling jobs, one or a batch's: the rule lives here once. A job no worker holds — queued, or parked in a
/// waiting step (running without a lease holder) — ends 'cancelled' at once with its unfinished steps. A job a worker
/// holds is flagged, and its worker stops at the next step boundary (JobExecution; a job about to park sees the flag
/// in DatabaseJobQueue.ParkAsync and goes back to the queue instead).</summary>
internal static class JobCancellation
{
    /// <param name="jobs">Which jobs, as a condition on the jobs table using <c>@id</c> ("id = @id", "batch_id = @id").</param>
    /// <remarks>Flag first, then end the idle ones: flagging locks the running rows, so a job parking meanwhile is seen
    /// parked by the second statement (and ended), and one parking after this commits sees the flag.</remarks>
    public static async Task CancelAsync(DataContext c, string jobs, long id, string by, DateTimeOffset now)
    {
        var args = new { id, by, now };
        await c.ExecuteAsync($"UPDATE jobs SET cancel_requested_by = COALESCE(cancel_requested_by, @by) WHERE {jobs} AND status = 'running'", args);
        var idle = $"{jobs} AND (status = 'queued' OR (status = 'running' AND lease_owner IS NULL))";
        await c.ExecuteAsync(
            $"UPDATE job_steps SET status = 'cancelled', ended_at = @now WHERE status IN ('pending', 'running', 'waiting') AND job_id IN (SELECT id FROM jobs WHERE {idle})",
            args);
        await c.ExecuteAsync($"UPDATE jobs SET status = 'cancelled', cancelled_by = @by, ended_at = @now, lease_expires = NULL WHERE {idle}", args);
    }
}
