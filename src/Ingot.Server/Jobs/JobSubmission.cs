using System.Text.Json;
using Dapper;
using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Api;
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

/// <summary>A machine refused by a submission, and why.</summary>
public sealed record RefusedMachine(string Machine, IngotException Reason);

/// <summary>A submission refused because some of its machines cannot take the job (409); lists every one.</summary>
public sealed class RefusedMachinesException(IReadOnlyList<RefusedMachine> refusals)
    : IngotException($"{refusals.Count} machine(s) cannot take this job: " +
                     string.Join("; ", refusals.Take(20).Select(r => $"{r.Machine}: {r.Reason.Message}")) + (refusals.Count > 20 ? "; …" : ""))
{
    public IReadOnlyList<RefusedMachine> Refusals { get; } = refusals;
    public override int Status => 409;
    public override string Slug => "machines-refused";
    public override string Title => "Machines refused";
    public override IReadOnlyDictionary<string, object?> Extensions { get; } = new Dictionary<string, object?>
    {
        ["machines"] = refusals.Select(r => new Dictionary<string, string> { ["machine"] = r.Machine, ["reason"] = r.Reason.Message }).ToArray(),
    };
}

/// <summary>Admission of jobs: checks the action, its params and the machine, then writes the job and its steps
/// in one transaction. Everything valid is accepted and queued (DESIGN.md §6: limits shape execution, not admission).</summary>
public sealed class JobSubmission(JobOptions options, JobSignal signal, TimeProvider clock)
{
    /// <summary>The action, which the caller's right to act is checked for; a 422 when it is missing or unknown. Its params
    /// are checked after that right (<see cref="CheckParams"/>): a caller who may not act learns nothing more.</summary>
    public static JobPlan CheckAction(JobSubmit? body)
    {
        var v = new Validation();
        var action = v.Required("action", body?.Action)?.ToLowerInvariant();
        var plan = action is null ? null : JobPlans.Find(action);
        if (action is not null && plan is null)
            v.Add("action", $"'{action}' is not an action; use one of {string.Join(", ", JobPlans.Actions)}.");
        v.ThrowIfInvalid();
        return plan!;
    }

    /// <summary>The params of <paramref name="plan"/>'s action; throws a 422 listing every problem.</summary>
    public static IReadOnlyDictionary<string, JsonElement> CheckParams(JobPlan plan, JobSubmit? body)
    {
        var v = new Validation();
        var parameters = body?.Params ?? new Dictionary<string, JsonElement>();
        JobPlans.Validate(plan.Action, parameters, v);
        v.ThrowIfInvalid();
        return parameters;
    }

    private sealed class MachineRow
    {
        public long Id { get; init; }
        public string HardwareName { get; init; } = "";
        public string State { get; init; } = "";
        public bool Maintenance { get; init; }
        public string? MaintenanceReason { get; init; }
        public long? SiteId { get; init; }
        public string? BmcDriver { get; init; }
    }

    private static IngotException? Refusal(MachineRow m, JobPlan plan, bool force) =>
        Refusal(m.HardwareName, m.State, m.Maintenance, m.MaintenanceReason, m.BmcDriver, plan)
        ?? (ForceRefusal(m.State, plan, force) is { } reason ? new ConflictException($"Machine {m.HardwareName} {reason} (ingot: --force).") : null);

    /// <summary>The rule on erasing actions, the same for a single job and for each host of a batch: on an in_use
    /// machine they need an explicit force, since one wrong name would otherwise erase a running service.</summary>
    public static string? ForceRefusal(string state, JobPlan plan, bool force) =>
        !force && state == "in_use" && JobPlans.Erases(plan.Action) ? $"is in_use: '{plan.Action}' would erase it; {JobActions.ForceHint}" : null;

    /// <summary>Why this machine cannot take this job now, or null: the one admission rule, for single jobs and for
    /// each host of a batch (which adds its own rule on destructive actions).</summary>
    public static IngotException? Refusal(string hardwareName, string state, bool maintenance, string? maintenanceReason, string? bmcDriver, JobPlan plan)
    {
        if (maintenance) return new MaintenanceException(hardwareName, maintenanceReason);
        if (bmcDriver is null)
            return new ConflictException($"Machine {hardwareName} has no BMC in the inventory, so Ingot cannot act on it. Set its bmc first.");
        if (plan.Requires is { } trigger && Wire.TryParse<MachineState>(state, out var current) && !Lifecycle.TryNext(current, trigger, out _))
            return new IllegalTransitionException(hardwareName, current, trigger, Lifecycle.Allowed(current));
        return plan.StateRefusal(hardwareName, state);
    }

    /// <summary>Queues one job on one machine; the caller wakes the workers after committing (<see cref="WakeWorkers"/>).</summary>
    /// <exception cref="MaintenanceException">The machine is in maintenance.</exception>
    /// <exception cref="IllegalTransitionException">A lifecycle action the machine's state does not allow.</exception>
    public async Task<long> SubmitAsync(DataContext c, long machineId, JobPlan plan,
                                        IReadOnlyDictionary<string, JsonElement> parameters, string user, string requester, long? batchId = null,
                                        bool force = false)
    {
        try
        {
            return (await SubmitManyAsync(c, [machineId], plan, parameters, user, requester, batchId, force))[0];
        }
        catch (RefusedMachinesException e) when (e.Refusals.Count == 1)
        {
            throw e.Refusals[0].Reason;
        }
    }

    /// <summary>Queues one job per machine, all or nothing, in a few multi-row statements: a batch of thousands is
    /// bound by round trips, not rows. The jobs rank one after another in the user's fair share.</summary>
    /// <returns>The job ids, in the order of <paramref name="machineIds"/>.</returns>
    /// <exception cref="RefusedMachinesException">Some machines cannot take the job; each with its reason.</exception>
    public async Task<IReadOnlyList<long>> SubmitManyAsync(DataContext c, IReadOnlyList<long> machineIds, JobPlan plan,
                                                           IReadOnlyDictionary<string, JsonElement> parameters, string user, string requester,
                                                           long? batchId = null, bool force = false)
    {
        var machines = (await c.QueryAsync<MachineRow>(
                $"SELECT id, hardware_name, state, maintenance, maintenance_reason, site_id, bmc_driver FROM machines WHERE {Sql.AnyOf(c, "id", "ids")}",
                new { ids = Sql.List(machineIds) }))
            .ToDictionary(m => m.Id);
        var refusals = machineIds.Select(id => machines.TryGetValue(id, out var m)
                ? (m.HardwareName, Reason: Refusal(m, plan, force))
                : (id.ToString(System.Globalization.CultureInfo.InvariantCulture), new NotFoundException("machine", id.ToString(System.Globalization.CultureInfo.InvariantCulture))))
            .Where(r => r.Reason is not null).Select(r => new RefusedMachine(r.Item1, r.Reason!)).ToList();
        if (refusals.Count > 0) throw new RefusedMachinesException(refusals);
        await CheckImageAsync(c, plan, parameters);

        return await QueueAsync(c, [.. machineIds.Select(id => (id, machines[id].SiteId))], plan, parameters, user, requester, batchId);
    }

    /// <summary>From how many jobs an insert lets its foreign-key checks use cached plans (see <see cref="QueueAsync"/>).</summary>
    private const int ManyRows = 10;

    /// <summary>Writes one queued job per machine in one statement — for callers that have already checked the machines
    /// and the params (<see cref="SubmitManyAsync"/>, batches). Step rows come when a job is first claimed
    /// (DatabaseJobQueue.AddStepsAsync).</summary>
    /// <returns>The job ids, in the order of <paramref name="machines"/>.</returns>
    public async Task<IReadOnlyList<long>> QueueAsync(DataContext c, IReadOnlyList<(long Id, long? SiteId)> machines, JobPlan plan,
                                                      IReadOnlyDictionary<string, JsonElement> parameters, string user, string requester, long? batchId)
    {
        var now = clock.GetUtcNow();
        var first = await RankAsync(c, user, now);
        var args = new DynamicParameters(new
        {
            action = plan.Action, json = JsonSerializer.Serialize(parameters, IngotJson.Options), requester, user, batchId,
            maxAttempts = options.MaxAttempts, now, first,
        });
        var rows = new BulkRows(("machine_id", machines.Select(m => m.Id).ToArray()), ("site_id", machines.Select(m => m.SiteId).ToArray()));
        // The insert's foreign-key checks (one per job) may use cached generic plans, which for a primary-key lookup are
        // always right; the connection otherwise forces custom plans (Database.PostgresSource), which made PostgreSQL
        // plan the check again for every row — most of its CPU in a batch's acceptance (perf, docs/BENCHMARKS.md).
        // Worth two more statements only when there are many checks: not for a single job.
        // RETURNING order is not promised by either engine: ids are matched back by their unique rank (first + n).
        var insert = () => c.QueryAsync<(long Id, long FairRank)>(
                $"""
                INSERT INTO jobs (action, machine_id, site_id, params, requester, user_name, batch_id, status, attempt, max_attempts,
                                  run_after, fair_rank, created_at)
                SELECT @action, r.machine_id, r.site_id, @json, @requester, @user, CAST(@batchId AS BIGINT), 'queued', 0, @maxAttempts,
                       @now, CAST(@first AS BIGINT) + r.n, @now
                FROM {rows.From(c, "r", args)}
                RETURNING id, fair_rank
                """, args);
        var rowsBack = machines.Count >= ManyRows ? await Sql.WithCachedPlansAsync(c, insert) : await insert();
        var ids = rowsBack.OrderBy(r => r.FairRank).Select(r => r.Id).ToList();
        if (batchId is null) await JobEvents.WriteAsync(c, JobEvents.Queued, Sql.AnyOf(c, "j.id", "ids"), new { ids = Sql.List(ids) }, now);
        return ids;
    }

    /// <summary>Wakes this node's idle workers. Call it after the submitting transaction commits: woken before, a
    /// worker's claim cannot see the jobs yet and they wait for the next poll.</summary>
    public void WakeWorkers() => signal.Pulse();
    /// <summary>An install names an install image of the catalog (422 otherwise, before anything is queued).</summary>
    public static async Task CheckImageAsync(DataContext c, JobPlan plan, IReadOnlyDictionary<string, JsonElement> parameters)
    {
        if (plan.Action is not (JobActions.Install or JobActions.Reimage)) return;
        var (hostname, role) = JobPlans.Naming(parameters);
        if (hostname is not null && !Names.IsHostname(hostname)) throw new ValidationException("params.hostname", $"'{hostname}' is not a valid hostname.");
        if (hostname is not null && await c.ExecuteScalarAsync<long?>("SELECT id FROM machines WHERE hostname = @hostname", new { hostname }) is not null)
            throw new ValidationException("params.hostname", $"'{hostname}' is already another machine's hostname.");
        if (role is not null && await c.ExecuteScalarAsync<long?>("SELECT id FROM roles WHERE name = @role", new { role }) is null)
            throw new ValidationException("params.role", $"no role named '{role}'.");
        var name = JobPlans.ImageName(parameters) ?? "";
        var image = await ImageRow.FindAsync(c, name);
        if (image is null) throw new ValidationException("params.image", $"no image named '{name}'; see GET /api/v1/images.");
        if (image.Kind != "install") throw new ValidationException("params.image", $"'{name}' is a {image.Kind} image, not an install image.");
    }

    /// <summary>Fair share as virtual time: a user's new job ranks after that user's own queued jobs, but never
    /// before the head of the queue. So one user's 10,000 queued jobs hold ranks h…h+9,999, and another user's single
    /// job, submitted when the head is at h+k, ranks h+k+1 — claimed within a claim or two, not after 10,000 jobs.</summary>
    /// <remarks>One statement, each part an index walk that stops at its first row (ORDER BY … LIMIT 1, not MAX: on a
    /// table whose statistics are stale PostgreSQL planned MAX as a scan of every queued job of the user — 46 ms with
    /// 85,000 queued, found by bench/run.sh batches). With nothing ready to run, the latest job's rank stands in for the
    /// head, so ranks keep growing.</remarks>
    public static async Task<long> RankAsync(DataContext c, string user, DateTimeOffset now)
    {
        var (own, head, latest) = await c.QuerySingleAsync<(long? Own, long? Head, long? Latest)>(
            """
            SELECT (SELECT fair_rank FROM jobs WHERE user_name = @user AND status = 'queued' ORDER BY fair_rank DESC LIMIT 1) AS own,
                   (SELECT fair_rank FROM jobs WHERE status = 'queued' AND run_after <= @now ORDER BY fair_rank, id LIMIT 1) AS head,
                   (SELECT fair_rank FROM jobs ORDER BY id DESC LIMIT 1) AS latest
            """, new { user, now });
        return Math.Max(own ?? 0, head ?? latest ?? 0) + 1;
    }
}
