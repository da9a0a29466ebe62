using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Inventory;

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
        // Only a running job can have moved its machine; a queued one has not started (or starts its attempt over).
        var moving = await c.QueryAsync<long>(
            $"SELECT id FROM jobs WHERE {jobs} AND status = 'running' AND lease_owner IS NULL AND {Sql.AnyOf(c, "action", "actions")}",
            new { id, actions = Sql.List(Abandoning.Keys) });
        var ended = (await c.QueryAsync<long>(
            $"UPDATE jobs SET status = 'cancelled', cancelled_by = @by, ended_at = @now, lease_expires = NULL WHERE {idle} RETURNING id", args)).ToList();
        if (ended.Count == 0) return;
        var endedArgs = new { ids = Sql.List(ended), now };
        await c.ExecuteAsync(
            $"UPDATE job_steps SET status = 'cancelled', ended_at = @now WHERE status IN ('pending', 'running', 'waiting') AND {Sql.AnyOf(c, "job_id", "ids")}",
            endedArgs);
        foreach (var job in moving) await SettleMachineAsync(c, job, by, now);
        await JobEvents.WriteAsync(c, JobEvents.Cancelled, Sql.AnyOf(c, "j.id", "ids"), endedArgs, now);
        foreach (var batch in await c.QueryAsync<long>(
                     $"SELECT DISTINCT batch_id FROM jobs WHERE {Sql.AnyOf(c, "id", "ids")} AND batch_id IS NOT NULL", endedArgs))
            await JobEvents.CompleteBatchAsync(c, batch, now);
    }

    /// <summary>The trigger that takes a machine out of the state a cancelled job of this action left it in
    /// (Lifecycle has the why). Actions missing here leave no machine stranded: they move it only at their end, or,
    /// like recycle, leave it where running the action again is allowed.</summary>
    private static readonly Dictionary<string, Trigger> Abandoning = new()
    {
        [JobActions.Install] = Trigger.Abandon,
        [JobActions.Reimage] = Trigger.Abandon,
    };

    /// <summary>Issue 11 A.3: a cancelled install must not strand its machine in 'installing', where neither install
    /// nor reimage is allowed. Applied in the transaction that ends the job, and only if the machine's last move was
    /// this job's own (its mark_installing): a machine moved since by someone else is left alone.</summary>
    public static async Task SettleMachineAsync(DataContext c, long jobId, string? by, DateTimeOffset now)
    {
        var job = await c.QuerySingleAsync<(long MachineId, string UserName, string Action, string? CancelledBy)>(
            "SELECT machine_id, user_name, action, COALESCE(cancelled_by, cancel_requested_by) FROM jobs WHERE id = @jobId", new { jobId });
        if (!Abandoning.TryGetValue(job.Action, out var trigger)) return;
        var actor = ClaimedJob.ActorOf(job.UserName, jobId);
        var lastActor = await c.QueryFirstOrDefaultAsync<string>(
            "SELECT actor FROM state_history WHERE machine_id = @machineId ORDER BY id DESC LIMIT 1", new { machineId = job.MachineId });
        if (lastActor != actor) return;
        await Transitions.TryApplyAsync(c, job.MachineId, trigger, actor,
            $"job {jobId} ({job.Action}) cancelled by {by ?? job.CancelledBy ?? "?"} before the install finished: the disk may hold a partial image; install again",
            now);
    }
}
