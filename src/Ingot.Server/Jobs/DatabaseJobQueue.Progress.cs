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

    public async Task<IReadOnlyList<JobEventView>> EventsAsync(JobLease lease, int attempt, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await JobEventRow.ReadAsync(c, lease.JobId, attempt, limit: 1000);
    }

    public Task RecordInstallAsync(JobLease lease, string image, CancellationToken ct) =>
        db.WriteAsync(c => c.ExecuteAsync(
            $"UPDATE machines SET image = @image, installed_at = @now WHERE id = (SELECT machine_id FROM jobs WHERE {Held})",
            new { id = lease.JobId, lease = lease.Token, image, now = clock.GetUtcNow() }), ct);

    public Task<string> CheckHardwareAsync(JobLease lease, CancellationToken ct) =>
        db.InTransactionAsync(async c =>
        {
            var machineId = await c.ExecuteScalarAsync<long>("SELECT machine_id FROM jobs WHERE id = @id", new { id = lease.JobId });
            var machine = await MachineReader.GetAsync(c, machineId);
            if (machine.Hardware is null) return "no hardware facts reported (the machine was not discovered); SKU not checked";
            var skus = (await c.QueryAsync<(long Id, string Name, int CpuCores, int MemoryGb, int DiskCount, int DiskGb, int NicCount)>(
                    "SELECT id, name, cpu_cores, memory_gb, disk_count, disk_gb, nic_count FROM skus ORDER BY name"))
                .Select(s => (s.Id, View: new SkuView(s.Id, s.Name, s.CpuCores, s.MemoryGb, s.DiskCount, s.DiskGb, s.NicCount, null, default)))
                .ToList();
            if (skus.Count == 0) return "no SKUs are defined; hardware not checked";
            if (machine.Sku is { } own)
            {
                var differences = SkuMatch.Differences(machine.Hardware, machine.Nics.Count, skus.Single(s => s.View.Name == own).View);
                if (differences.Count > 0)
                    throw new StepFailedException($"the hardware does not match SKU {own}: {string.Join("; ", differences)}", transient: false);
                return $"the hardware matches SKU {own}";
            }
            var fit = skus.FirstOrDefault(s => SkuMatch.Differences(machine.Hardware, machine.Nics.Count, s.View).Count == 0);
            if (fit.View is null)
                throw new StepFailedException($"the hardware matches no SKU ({machine.Hardware.CpuCores} cores, {machine.Hardware.MemoryGb} GB, " +
                                              $"{machine.Hardware.Disks?.Count ?? 0} disks, {machine.Nics.Count} NICs)", transient: false);
            await c.ExecuteAsync("UPDATE machines SET sku_id = @sku, updated_at = @now WHERE id = @machineId",
                new { sku = fit.Id, now = clock.GetUtcNow(), machineId });
            return $"the hardware matches SKU {fit.View.Name}; assigned";
        }, ct);

    public async Task AssignAsync(JobLease lease, string? hostname, string? role, CancellationToken ct)
    {
        try
        {
            var rows = await db.WriteAsync(c => c.ExecuteAsync(
                $"""
                UPDATE machines SET hostname = COALESCE(@hostname, hostname),
                    role_id = CASE WHEN @role IS NULL THEN role_id ELSE (SELECT id FROM roles WHERE name = @role) END, updated_at = @now
                WHERE id = (SELECT machine_id FROM jobs WHERE {Held}) AND (@role IS NULL OR EXISTS (SELECT 1 FROM roles WHERE name = @role))
                """, new { id = lease.JobId, lease = lease.Token, hostname, role, now = clock.GetUtcNow() }), ct);
            if (rows == 0 && role is not null) throw new StepFailedException($"no role named '{role}' (deleted since the job was queued?)", transient: false);
        }
        catch (Exception e) when (DbErrors.IsUniqueViolation(e))
        {
            throw new StepFailedException($"hostname '{hostname}' was taken by another machine since the job was queued", transient: false);
        }
    }

    public Task ReleaseMachineAsync(JobLease lease, CancellationToken ct) =>
        db.WriteAsync(c => c.ExecuteAsync(
            $"UPDATE machines SET role_id = NULL, hostname = NULL, image = NULL, installed_at = NULL, updated_at = @now WHERE id = (SELECT machine_id FROM jobs WHERE {Held})",
            new { id = lease.JobId, lease = lease.Token, now = clock.GetUtcNow() }), ct);

    public async Task<ImageView?> ImageAsync(string? name, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var row = name is null ? await ImageRow.OfKindAsync(c, ImageKind.Wipe) : await ImageRow.FindAsync(c, name);
        return row?.View();
    }

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

    public async Task<bool> EndStepAsync(JobLease lease, int position, StepStatus status, string? message, CancellationToken ct)
    {
        var rows = await db.WriteAsync(c => c.ExecuteAsync(
            $"""
            UPDATE job_steps SET status = @status, ended_at = @now, message = @message
            WHERE job_id = @id AND position = @position AND EXISTS (SELECT 1 FROM jobs WHERE {Held})
            """, new { id = lease.JobId, position, status = Wire.Name(status), now = clock.GetUtcNow(), message, lease = lease.Token }), ct);
        return rows == 1;
    }

    public Task FinishAsync(JobLease lease, JobEnding ending, CancellationToken ct) =>
        db.InTransactionAsync(async c =>
        {
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
            var rows = await c.ExecuteAsync($"UPDATE jobs SET {set}, lease_owner = NULL, lease_expires = NULL WHERE {Held}", args);
            if (rows == 0) return 0; // the lease was lost: the node that holds the job now will end it
            if (ending is JobEnding.Retry { RestartFrom: not null })
                await c.ExecuteAsync("UPDATE job_steps SET status = 'pending' WHERE job_id = @id AND position >= @restartFrom", args);
            if (ending is JobEnding.Cancelled)
                await c.ExecuteAsync("UPDATE job_steps SET status = 'cancelled', ended_at = @now WHERE job_id = @id AND status IN ('pending', 'running', 'waiting')",
                    new { id = jobId, now });
            if (ending is JobEnding.Failed { Trigger: { } trigger } failed)
                await FailMachineAsync(c, jobId, trigger, failed.Error, now);
            return rows;
        }, ct);

    /// <summary>A lifecycle job that ran out of attempts marks its machine (normally: fail → broken), in the same
    /// transaction as the job's end. A machine that has meanwhile moved where the trigger does not apply is left as it is.</summary>
    private static async Task FailMachineAsync(DataContext c,
                                               long jobId, Trigger trigger, string error, DateTimeOffset now)
    {
        var job = await c.QuerySingleAsync<(long MachineId, string UserName, string Action)>(
            "SELECT machine_id, user_name, action FROM jobs WHERE id = @jobId", new { jobId });
        var state = await c.ExecuteScalarAsync<string>("SELECT state FROM machines WHERE id = @id", new { id = job.MachineId });
        if (!Wire.TryParse<MachineState>(state, out var current) || !Lifecycle.TryNext(current, trigger, out _)) return;
        await Transitions.ApplyAsync(c, job.MachineId, trigger, Actor(job.UserName, jobId),
            $"job {jobId} ({job.Action}) failed: {error}", now);
    }

    private static string Actor(string user, long jobId) => $"{user} (job {jobId})";

    public Task<MachineState> TransitionAsync(JobLease lease, Trigger trigger, string? reason, CancellationToken ct) =>
        db.InTransactionAsync(async c =>
        {
            var jobId = lease.JobId;
            var job = await c.QuerySingleAsync<(long MachineId, string UserName)>(
                "SELECT machine_id, user_name FROM jobs WHERE id = @jobId", new { jobId });
            var actor = Actor(job.UserName, jobId);
            // A job resumed after its node died may have made this transition already, without recording the step.
            var last = await c.QueryFirstOrDefaultAsync<(string Trigger, string Actor, string ToState)>(
                "SELECT trigger, actor, to_state FROM state_history WHERE machine_id = @id ORDER BY id DESC LIMIT 1", new { id = job.MachineId });
            var state = await c.ExecuteScalarAsync<string>("SELECT state FROM machines WHERE id = @id", new { id = job.MachineId });
            if (last.Actor == actor && last.Trigger == Wire.Name(trigger) && last.ToState == state && Wire.TryParse<MachineState>(state, out var reached))
                return reached;
            return await Transitions.ApplyAsync(c, job.MachineId, trigger, actor, reason, clock.GetUtcNow());
        }, ct);

    private sealed class HealthRow
    {
        public string Status { get; init; } = "ok";
        public int Failures { get; init; }
        public DateTimeOffset Since { get; init; }
    }

    /// <summary>The circuit breaker (DESIGN.md §6): each transient failure counts; at the threshold the BMC is
    /// 'unreachable' and its circuit opens for an exponentially growing time, during which the claim skips its
    /// machine's jobs. The first job after that is the trial: success closes the circuit, failure reopens it for
    /// longer. A fatal error (wrong password) leaves the BMC 'degraded' without opening the circuit: retrying
    /// would not help, and the job has already failed with the reason.</summary>
    public async Task RecordBmcAsync(long machineId, BmcException? error, CancellationToken ct)
    {
        if (error is null)
        {
            // The common case: a healthy BMC answered again. A plain read decides that nothing needs writing, without
            // taking SQLite's write lock twice per job.
            await using var read = await db.OpenAsync(ct);
            var status = await read.ExecuteScalarAsync<string?>("SELECT status FROM bmc_health WHERE machine_id = @machineId", new { machineId });
            if (status is null or "ok") return;
        }
        await RecordBmcInTransactionAsync(machineId, error, ct);
    }

    private Task RecordBmcInTransactionAsync(long machineId, BmcException? error, CancellationToken ct) =>
        db.InTransactionAsync(async c =>
        {
            var now = clock.GetUtcNow();
            var row = await c.QuerySingleOrDefaultAsync<HealthRow>(
                "SELECT status, failures, since FROM bmc_health WHERE machine_id = @machineId" + Sql.ForUpdate(c), new { machineId });
            if (error is null && (row is null || row is { Status: "ok" })) return 0; // the common case writes nothing
            var failures = error is { IsTransient: true } ? (row?.Failures ?? 0) + 1 : 0;
            var status = error is null ? BmcHealthStatus.Ok
                : failures >= options.BreakerThreshold ? BmcHealthStatus.Unreachable
                : BmcHealthStatus.Degraded;
            DateTimeOffset? retryAfter = status == BmcHealthStatus.Unreachable
                ? now + options.BreakerOpen.Delay(failures - options.BreakerThreshold, random: 0) : null;
            var since = row is not null && row.Status == Wire.Name(status) ? row.Since : now;
            var args = new { machineId, status = Wire.Name(status), failures, error = error?.Message, since, retryAfter };
            return await c.ExecuteAsync(row is null
                ? "INSERT INTO bmc_health (machine_id, status, failures, last_error, since, retry_after) VALUES (@machineId, @status, @failures, @error, @since, @retryAfter)"
                : "UPDATE bmc_health SET status = @status, failures = @failures, last_error = COALESCE(@error, last_error), since = @since, retry_after = @retryAfter WHERE machine_id = @machineId",
                args);
        }, ct);
}
