using Dapper;
using Ingot.Client;
using Ingot.Server.Api;
using Ingot.Server.Data;
using Ingot.Server.Inventory;

namespace Ingot.Server.Jobs;

/// <summary>The events of jobs and batches (docs/events.md), written in the transaction that changes them, with INSERT …
/// SELECT from the jobs table so that ending a batch's thousand jobs is one statement. Batch member jobs write no
/// job.queued: their batch.accepted says it once.</summary>
public static class JobEvents
{
    public const string Queued = "job.queued", Started = "job.started", Retrying = "job.retrying",
        Succeeded = "job.succeeded", Failed = "job.failed", Cancelled = "job.cancelled";

    /// <summary>A step started, waits or ended: written by the job_steps trigger (migration 0031) in the step's own statement.</summary>
    public const string Step = "job.step";
    public const string BatchAccepted = "batch.accepted", BatchCompleted = "batch.completed", BatchRejected = "batch.rejected";

    /// <summary>The event types this file writes, for docs/events.md and the subscription checks.</summary>
    public static readonly string[] Types = [Queued, Started, Retrying, Succeeded, Failed, Cancelled, Step, BatchAccepted, BatchCompleted, BatchRejected];

    /// <summary>One <paramref name="type"/> event per job matching <paramref name="jobs"/> (a condition on <c>j</c>).</summary>
    public static Task WriteAsync(DataContext c, string type, string jobs, object args, DateTimeOffset now)
    {
        var data = Sql.JsonObject(c,
            ("job_id", "j.id"), ("action", "j.action"), ("status", "j.status"), ("attempt", "j.attempt"), ("max_attempts", "j.max_attempts"),
            ("machine_id", "j.machine_id"), ("machine", "COALESCE(m.hostname, m.hardware_name)"), ("site", "s.name"),
            ("batch_id", "j.batch_id"), ("user", "j.user_name"), ("error", "j.error"));
        return c.ExecuteAsync(
            $"""
            {Events.InsertColumns}
            SELECT @eventType, 1, 'job:' || j.id, {data}, @eventAt, j.machine_id, j.batch_id, {MachineOwners.TeamOf("j.machine_id")}, j.user_name
            FROM jobs j JOIN machines m ON m.id = j.machine_id LEFT JOIN sites s ON s.id = j.site_id
            WHERE {jobs}
            ORDER BY j.id
            """, Events.Args(c, args, type, now));
    }

    public static Task AcceptedAsync(DataContext c, long batchId, string action, string user, int hosts, int excluded, DateTimeOffset now) =>
        Events.WriteAsync(c, BatchAccepted, $"batch:{batchId}", new { BatchId = batchId, Action = action, User = user, Hosts = hosts, Excluded = excluded },
            now, new EventAbout(BatchId: batchId, User: user));

    /// <summary>batch.rejected: a batch refused because its precheck found hosts it could not reach (precheck true).
    /// There is no batch; the hosts, by machine, are what the tickets need.</summary>
    public static Task RejectedAsync(DataContext c, string action, string user, int hosts, IReadOnlyList<RejectedHost> failed, DateTimeOffset now) =>
        Events.WriteAsync(c, BatchRejected, $"user:{user}", new { Action = action, User = user, Hosts = hosts, Failed = failed },
            now, new EventAbout(User: user));

    public sealed record RejectedHost(string Host, long MachineId, string Reason);

    /// <summary>batch.completed, once, when the last of a batch's jobs has ended: called by whatever ended some of its
    /// jobs, and by <see cref="BatchCompletion"/>'s sweep. Almost always another job is still open, which one look in the
    /// open jobs' index says without a lock. Otherwise the batch's row is locked and the question asked again (PostgreSQL
    /// reads committed rows afresh for each statement), and completed_at makes the event once-only. Two last jobs ending
    /// at once may each see the other open and both leave it: the sweep completes such a batch within its interval.</summary>
    public static async Task CompleteBatchAsync(DataContext c, long batchId, DateTimeOffset now)
    {
        const string AnyOpen = "SELECT 1 FROM jobs WHERE batch_id = @batchId AND status IN ('queued', 'running') LIMIT 1";
        if (await c.ExecuteScalarAsync<long?>(AnyOpen, new { batchId }) is not null) return;
        var batch = await c.QuerySingleOrDefaultAsync<(string Action, string UserName, string? CancelledBy, int Completed)>(
            "SELECT action, user_name, cancelled_by, CASE WHEN completed_at IS NULL THEN 0 ELSE 1 END FROM batches WHERE id = @batchId" + Sql.ForUpdate(c),
            new { batchId });
        if (batch.Action is null || batch.Completed == 1) return;
        if (await c.ExecuteScalarAsync<long?>(AnyOpen, new { batchId }) is not null) return;
        var counts = (await c.QueryAsync<(string Status, int Count)>(
            "SELECT status, COUNT(*) FROM jobs WHERE batch_id = @batchId GROUP BY status", new { batchId })).ToDictionary(r => r.Status, r => r.Count);
        var subject = $"batch:{batchId}";
        await c.ExecuteAsync("UPDATE batches SET completed_at = @now WHERE id = @batchId", new { batchId, now });
        int Of(string status) => counts.GetValueOrDefault(status);
        var tally = new BatchCounts(0, 0, Of("succeeded"), Of("failed"), Of("cancelled"));
        await Events.WriteAsync(c, BatchCompleted, subject, new
        {
            BatchId = batchId, batch.Action, User = batch.UserName, Status = Wire.Name(tally.StatusOf(batch.CancelledBy is not null)),
            Hosts = counts.Values.Sum(), tally.Succeeded, tally.Failed, tally.Cancelled,
        }, now, new EventAbout(BatchId: batchId, User: batch.UserName));
        // The stream orders by the writing transaction's id, which PostgreSQL gives at a transaction's first write: this
        // one may be older than the job end it waited for, and batch.completed would then come before that job's event.
        // Placed at the newest transaction of the batch's events instead, it sorts after all of them and is still never
        // skipped: a reader could not have passed it (EventLog takes only transactions older than every running one,
        // and this one ran until it committed). SQLite's ids are in commit order already.
        if (c.IsPostgres)
            await c.ExecuteAsync(
                """
                UPDATE events SET tx = GREATEST(tx, (SELECT MAX(b.tx) FROM events b WHERE b.batch_id = @batchId))
                WHERE subject = @subject AND type = @type
                """, new { batchId, subject, type = BatchCompleted });
    }
}
