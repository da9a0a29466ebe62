using System.Data.Common;
using System.Text.Json;
using Dapper;
using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Hosting;
using Ingot.Server.Inventory;

namespace Ingot.Server.Jobs;

/// <summary>Refused because the machine is held out of automation.</summary>
public sealed class MaintenanceException(string machine, string? reason)
    : IngotException($"Machine {machine} is in maintenance{(reason is null ? "" : $" ({reason})")}: jobs are held off it. " +
                     "Turn maintenance off first (ingot machines maintenance off).")
{
    public override int Status => 409;
    public override string Slug => "in-maintenance";
    public override string Title => "Machine in maintenance";
}

/// <summary>Admission of jobs: checks the action, its params and the machine, then writes the job and its steps
/// in one transaction. Everything valid is accepted and queued (DESIGN.md §6: limits shape execution, not admission).</summary>
public sealed class JobSubmission(JobOptions options, JobSignal signal, TimeProvider clock)
{
    /// <summary>Checks what does not need the database; throws a 422 listing every problem.</summary>
    public static (JobPlan Plan, IReadOnlyDictionary<string, JsonElement> Params) Check(JobSubmit? body)
    {
        var v = new Validation();
        var action = v.Required("action", body?.Action)?.ToLowerInvariant();
        var plan = action is null ? null : JobPlans.Find(action);
        if (action is not null && plan is null)
            v.Add("action", $"'{action}' is not an action; use one of {string.Join(", ", JobPlans.Actions)}.");
        var parameters = body?.Params ?? new Dictionary<string, JsonElement>();
        if (plan is not null) JobPlans.Validate(plan.Action, parameters, v);
        v.ThrowIfInvalid();
        return (plan!, parameters);
    }

    private sealed class MachineRow
    {
        public string HardwareName { get; init; } = "";
        public string State { get; init; } = "";
        public bool Maintenance { get; init; }
        public string? MaintenanceReason { get; init; }
        public long? SiteId { get; init; }
        public string? BmcDriver { get; init; }
    }

    /// <summary>Queues one job on one machine and wakes this node's workers.</summary>
    /// <exception cref="MaintenanceException">The machine is in maintenance.</exception>
    /// <exception cref="IllegalTransitionException">A lifecycle action the machine's state does not allow.</exception>
    public async Task<long> SubmitAsync(DbConnection c, DbTransaction tx, long machineId, JobPlan plan,
                                        IReadOnlyDictionary<string, JsonElement> parameters, string user, string requester, long? batchId = null)
    {
        var m = await c.QuerySingleAsync<MachineRow>(
            "SELECT hardware_name, state, maintenance, maintenance_reason, site_id, bmc_driver FROM machines WHERE id = @machineId",
            new { machineId }, tx);
        if (m.Maintenance) throw new MaintenanceException(m.HardwareName, m.MaintenanceReason);
        if (m.BmcDriver is null)
            throw new ConflictException($"Machine {m.HardwareName} has no BMC in the inventory, so Ingot cannot act on it. Set its bmc first.");
        if (plan.Requires is { } trigger && Wire.TryParse<MachineState>(m.State, out var state) && !Lifecycle.TryNext(state, trigger, out _))
            throw new IllegalTransitionException(m.HardwareName, state, trigger, Lifecycle.Allowed(state));

        var now = clock.GetUtcNow();
        var id = await c.ExecuteScalarAsync<long>(
            """
            INSERT INTO jobs (action, machine_id, site_id, params, requester, user_name, batch_id, status, attempt, max_attempts,
                              run_after, fair_rank, created_at)
            VALUES (@action, @machineId, @siteId, @params, @requester, @user, @batchId, 'queued', 0, @maxAttempts,
                    @now, @rank, @now)
            RETURNING id
            """,
            new
            {
                action = plan.Action, machineId, siteId = m.SiteId, @params = JsonSerializer.Serialize(parameters, IngotJson.Options),
                requester, user, batchId, maxAttempts = options.MaxAttempts, now, rank = await RankAsync(c, tx, user, now),
            }, tx);
        await c.ExecuteAsync(
            "INSERT INTO job_steps (job_id, position, name, status, attempt) VALUES (@id, @position, @name, 'pending', 0)",
            plan.Steps.Select((s, i) => new { id, position = i, name = s.Name }), tx);
        signal.Pulse();
        return id;
    }

    /// <summary>Fair share as virtual time: a user's new job ranks after that user's own queued jobs, but never
    /// before the head of the queue. So one user's 10,000 queued jobs hold ranks h…h+9,999, and another user's single
    /// job, submitted when the head is at h+k, ranks h+k+1 — claimed within a claim or two, not after 10,000 jobs.</summary>
    public static async Task<long> RankAsync(DbConnection c, DbTransaction tx, string user, DateTimeOffset now)
    {
        var own = await c.ExecuteScalarAsync<long?>(
            "SELECT MAX(fair_rank) FROM jobs WHERE user_name = @user AND status = 'queued'", new { user }, tx);
        var head = await c.ExecuteScalarAsync<long?>(
            "SELECT fair_rank FROM jobs WHERE status = 'queued' AND run_after <= @now ORDER BY fair_rank, id LIMIT 1", new { now }, tx)
            ?? await c.ExecuteScalarAsync<long?>("SELECT MAX(fair_rank) FROM jobs", transaction: tx);
        return Math.Max(own ?? 0, head ?? 0) + 1;
    }
}
