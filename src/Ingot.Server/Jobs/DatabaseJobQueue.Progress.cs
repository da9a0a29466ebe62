using System.Text.Json;
using Dapper;
using Ingot.Bmc;
using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Inventory;
using Ingot.Server.Api;

namespace Ingot.Server.Jobs;

/// <summary>Heartbeats, step records and job endings, each fenced by this node's lease.</summary>
public sealed partial class DatabaseJobQueue
{
    private const string Held = "id = @id AND status = 'running' AND lease_owner = @lease";

    public async Task<IReadOnlySet<JobLease>> RenewAsync(IReadOnlyCollection<JobLease> leases, CancellationToken ct)
    {
        var held = new HashSet<JobLease>();
        if (leases.Count == 0) return held;
        foreach (var chunk in leases.Chunk(500))
        {
            var renewed = await db.WriteAsync(c => c.QueryAsync<(long Id, string LeaseOwner)>(
                $"UPDATE jobs SET lease_expires = @expires WHERE status = 'running' AND {Sql.AnyOf(c, "id", "ids")} " +
                $"AND {Sql.AnyOf(c, "lease_owner", "tokens")} RETURNING id, lease_owner",
                new { expires = clock.GetUtcNow() + options.Lease, ids = Sql.List(chunk.Select(l => l.JobId)), tokens = Sql.List(chunk.Select(l => l.Token).Distinct()) }), ct);
            held.UnionWith(renewed.Select(r => new JobLease(r.Id, r.LeaseOwner)).Where(chunk.Contains));
        }
        return held;
    }

    /// <summary>Parks, then counts the attempt's events. The park takes the job's row lock first, so an event committed
    /// after the count finds the job parked and wakes it, and one committed before is counted here: no wake-up is lost
    /// between the step reading the events and the job parking.</summary>
    public Task<bool> ParkAsync(JobLease lease, int position, DateTimeOffset until, string message, int eventsSeen, CancellationToken ct) =>
        db.InTransactionAsync(async c =>
        {
            var args = new { id = lease.JobId, lease = lease.Token, position, message, until };
            await c.ExecuteAsync($"UPDATE job_steps SET status = 'waiting', message = @message WHERE job_id = @id AND position = @position AND EXISTS (SELECT 1 FROM jobs WHERE {Held})", args);
            // No lease holder, lease_expires at the deadline: the reaper brings the job back then, an event sooner.
            if (await c.ExecuteAsync($"UPDATE jobs SET lease_owner = NULL, lease_expires = @until WHERE {Held}", args) != 1) return false;
            var events = await c.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM job_events WHERE job_id = @id AND attempt = (SELECT attempt FROM jobs WHERE id = @id)", args);
            // A cancellation asked for while the step ran must not wait out the image's deadline: back to the queue, where
            // the next step boundary sees it.
            var cancelled = await c.ExecuteScalarAsync<string?>("SELECT cancel_requested_by FROM jobs WHERE id = @id", args) is not null;
            if (events > eventsSeen || cancelled)
                await c.ExecuteAsync("UPDATE jobs SET status = 'queued', lease_expires = NULL WHERE id = @id", args);
            return true;
        }, ct);

    public async Task ReleaseAllAsync(CancellationToken ct)
    {
        await db.WriteAsync(c => c.ExecuteAsync(
            "UPDATE jobs SET status = 'queued', lease_owner = NULL, lease_expires = NULL WHERE status = 'running' AND lease_owner LIKE @node",
            new { node = NodeId + "#%" }), ct);
    }

    private sealed class GateRow
    {
        public string Status { get; init; } = "";
        public string? LeaseOwner { get; init; }
        public string? CancelRequestedBy { get; init; }
    }

    /// <summary>One statement in the common case (no transaction, so SQLite's write lock is held only for it): the
    /// step starts if the claim holds and nobody asked to cancel; only when it does not start is the job read to say why.</summary>
    public async Task<StepGate> BeginStepAsync(JobLease lease, int position, CancellationToken ct)
    {
        var started = await db.WriteAsync(c => c.ExecuteAsync(
            $"""
            UPDATE job_steps SET status = 'running', ended_at = NULL, message = NULL,
                -- a waiting step that looks again is the same attempt, waiting since it began
                attempt = CASE WHEN status = 'waiting' THEN attempt ELSE attempt + 1 END,
                started_at = CASE WHEN status = 'waiting' THEN started_at ELSE @now END
            WHERE job_id = @id AND position = @position
              AND EXISTS (SELECT 1 FROM jobs WHERE {Held} AND cancel_requested_by IS NULL)
            """, new { id = lease.JobId, position, now = clock.GetUtcNow(), lease = lease.Token }), ct);
        if (started == 1) return StepGate.Go;
        await using var c = await db.OpenAsync(ct);
        var job = await c.QuerySingleOrDefaultAsync<GateRow>(
            "SELECT status, lease_owner, cancel_requested_by FROM jobs WHERE id = @id", new { id = lease.JobId });
        return job is { Status: "running", CancelRequestedBy: not null } && job.LeaseOwner == lease.Token ? StepGate.Cancelled : StepGate.LeaseLost;
    }

    public async Task<bool> EndStepAsync(JobLease lease, int position, StepStatus status, string? message, BmcOutcome? bmc, CancellationToken ct)
    {
        // The BMC's outcome first: it is true whatever became of the lease.
        if (bmc is not null) await circuit.RecordAsync(bmc.MachineId, bmc.Error, ct);
        if (bmc is { Quirks.Count: > 0 }) await circuit.LearnQuirksAsync(bmc.MachineId, bmc.Quirks, ct);
        var rows = await db.WriteAsync(c => c.ExecuteAsync(
            $"""
            UPDATE job_steps SET status = @status, ended_at = @now, message = @message
            WHERE job_id = @id AND position = @position AND EXISTS (SELECT 1 FROM jobs WHERE {Held})
            """, new { id = lease.JobId, position, status = Wire.Name(status), now = clock.GetUtcNow(), message, lease = lease.Token }), ct);
        return rows == 1;
    }

    public async Task FinishAsync(JobLease lease, JobEnding ending, CancellationToken ct)
    {
        (string Action, string? Site, string? Sku)? outcome = null;
        await db.InTransactionAsync(async c =>
        {
            outcome = null; // a retried transaction counts once
            var now = clock.GetUtcNow();
            var jobId = lease.JobId;
            var args = new DynamicParameters(new { id = jobId, lease = lease.Token });
            args.Add("now", DapperSetup.Stored(c, now));
            string set;
            switch (ending)
            {
                case JobEnding.Succeeded s:
                    set = "status = 'succeeded', result = @result, error = NULL, ended_at = @now";
                    args.Add("result", JsonSerializer.Serialize(s.Result, IngotJson.Options));
                    break;
                case JobEnding.Failed f:
                    set = "status = 'failed', error = @error, ended_at = @now";
                    args.Add("error", f.Error);
                    break;
                case JobEnding.Retry r:
                    set = "status = 'queued', attempt = attempt + 1, error = @error, run_after = @runAfter";
                    args.Add("error", r.Error);
                    args.Add("runAfter", DapperSetup.Stored(c, r.RunAfter));
                    args.Add("restartFrom", r.RestartFrom ?? int.MaxValue);
                    break;
                case JobEnding.Cancelled x:
                    set = "status = 'cancelled', cancelled_by = COALESCE(@by, cancel_requested_by), ended_at = @now";
                    args.Add("by", x.By);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(ending), ending, null);
            }
            if (ending is not JobEnding.Retry)
            {
                // Its runtime, for the statistics (JobStatsQuery), written once it is known.
                set += c.IsPostgres
                    ? ", run_seconds = EXTRACT(EPOCH FROM (@now::timestamptz - started_at))"
                    : ", run_seconds = (julianday(@now) - julianday(started_at)) * 86400.0";
            }
            var rows = await c.ExecuteAsync($"UPDATE jobs SET {set}, lease_owner = NULL, lease_expires = NULL WHERE {Held}", args);
            if (rows == 0) return 0; // the lease was lost: the node that holds the job now will end it
            if (ending is JobEnding.Retry { RestartFrom: not null })
                await c.ExecuteAsync("UPDATE job_steps SET status = 'pending' WHERE job_id = @id AND position >= @restartFrom", args);
            if (ending is JobEnding.Cancelled cancelled)
            {
                await c.ExecuteAsync("UPDATE job_steps SET status = 'cancelled', ended_at = @now WHERE job_id = @id AND status IN ('pending', 'running', 'waiting')",
                    new { id = jobId, now });
                await JobCancellation.SettleMachineAsync(c, jobId, cancelled.By, now);
            }
            if (ending is JobEnding.Failed { Trigger: { } trigger } failed)
                await FailMachineAsync(c, jobId, trigger, failed.Error, now);
            await JobEvents.WriteAsync(c, ending switch
            {
                JobEnding.Succeeded => JobEvents.Succeeded,
                JobEnding.Failed => JobEvents.Failed,
                JobEnding.Retry => JobEvents.Retrying,
                _ => JobEvents.Cancelled,
            }, "j.id = @id", new { id = jobId }, now);
            var ended = await c.QuerySingleAsync<(string Action, string? Site, string? Sku, long? Batch)>(
                """
                SELECT j.action, s.name, k.name, j.batch_id FROM jobs j JOIN machines m ON m.id = j.machine_id
                LEFT JOIN sites s ON s.id = j.site_id LEFT JOIN skus k ON k.id = m.sku_id WHERE j.id = @id
                """, new { id = jobId });
            if (ending is not JobEnding.Retry && ended.Batch is { } batch) await JobEvents.CompleteBatchAsync(c, batch, now);
            outcome = (ended.Action, ended.Site, ended.Sku);
            return rows;
        }, ct);
        if (outcome is { } o)
            JobMetrics.JobEnded(o.Action, o.Site, o.Sku, ending switch
            {
                JobEnding.Succeeded => "succeeded",
                JobEnding.Failed => "failed",
                JobEnding.Retry => "retried",
                _ => "cancelled",
            });
    }

    /// <summary>A lifecycle job that ran out of attempts marks its machine (normally: fail → broken), in the same
    /// transaction as the job's end. A machine that has meanwhile moved where the trigger does not apply is left as it is.</summary>
    private static async Task FailMachineAsync(DataContext c, long jobId, Trigger trigger, string error, DateTimeOffset now)
    {
        var job = await c.QuerySingleAsync<(long MachineId, string UserName, string Action)>(
            "SELECT machine_id, user_name, action FROM jobs WHERE id = @jobId", new { jobId });
        await Transitions.TryApplyAsync(c, job.MachineId, trigger, ClaimedJob.ActorOf(job.UserName, jobId),
            $"job {jobId} ({job.Action}) failed: {error}", now);
    }

    /// <summary>The job's row is locked first (PostgreSQL; SQLite's one writer excludes the rest anyway), so neither the
    /// reaper, a cancellation nor another claim moves the job while the work runs.</summary>
    public Task<T> InLeaseAsync<T>(JobLease lease, Func<DataContext, Task<T>> work, CancellationToken ct) =>
        db.InTransactionAsync(async c =>
        {
            var held = await c.ExecuteScalarAsync<long?>($"SELECT id FROM jobs WHERE {Held}{Sql.ForUpdate(c)}", new { id = lease.JobId, lease = lease.Token });
            if (held is null) throw new LeaseLostException(lease.JobId);
            return await work(c);
        }, ct);
}
