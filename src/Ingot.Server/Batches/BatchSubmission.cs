using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Api;
using Ingot.Server.Inventory;
using Ingot.Server.Jobs;

namespace Ingot.Server.Batches;

/// <summary>Accepting a batch: everything is checked and every reason listed, then, in one transaction, the batch is
/// written, its machines claimed (the database refuses overlap) and one job queued per machine. All or nothing.</summary>
public sealed class BatchSubmission(JobSubmission jobs, BatchPrecheck precheck, InUseHooks hooks, JobOptions options, TimeProvider clock)
{
    public static readonly string[] Actions =
        [JobActions.Reimage, JobActions.Reboot, JobActions.PowerOn, JobActions.PowerOff, JobActions.PowerCycle, JobActions.WipeDisks, JobActions.Recycle, JobActions.Decommission];


    private const int NearNameLookups = 20;

    private sealed class MachineRow
    {
        public long Id { get; init; }
        public string HardwareName { get; init; } = "";
        public string? Hostname { get; init; }
        public string State { get; init; } = "";
        public bool Maintenance { get; init; }
        public string? MaintenanceReason { get; init; }
        public string? BmcDriver { get; init; }
        public long? SiteId { get; init; }
        public string? OwnerRole { get; init; }
        public long? OwnerTeamId { get; init; }
        public string? OwnerTeam { get; init; }
        public string? OwnerSite { get; init; }
    }

    /// <returns>The batch, and whether it is new (false: an earlier submission with the same Idempotency-Key).</returns>
    public async Task<(BatchView Batch, bool Created)> SubmitAsync(Database db, BatchSubmit? body, Caller caller, string? idempotencyKey, CancellationToken ct)
    {
        var took = System.Diagnostics.Stopwatch.StartNew();
        var user = caller.Name;
        var (plan, parameters, hosts, mode) = Check(body, options.BatchMaxHosts);
        caller.RequireScope(plan.Action);
        var hash = Idempotency.Hash(body);
        if (idempotencyKey is not null && await PreviousAsync(db, user, idempotencyKey, hash, ct) is { } previous) return (await ReadAsync(db, previous, ct), false);
        var excluded = mode == PrecheckMode.None && !JobPlans.Erases(plan.Action) ? [] : await OutsideAsync(db, hosts, plan, body!.Force == true, caller, mode, ct);
        var excludedJson = excluded.Count == 0 ? null : JsonSerializer.Serialize(excluded.Values, IngotJson.Options);
        try
        {
            var json = JsonSerializer.Serialize(parameters, IngotJson.Options);
            var now = clock.GetUtcNow();
            now = now.AddTicks(-(now.Ticks % 10)); // microseconds, as both engines store it: the 201 equals a later GET
            var (id, count, teams) = await db.InTransactionAsync(async c =>
            {
                var machines = (await ResolveAsync(c, hosts, plan, body!.Force == true, caller)).Where(m => !excluded.ContainsKey(m.Id)).ToList();
                // Nothing left to run: a batch of no hosts would only hide the reasons, so they are the refusal.
                if (machines.Count == 0) throw new BatchInvalidException([.. excluded.Values.Select(x => new HostReason(x.Host, x.Reason))]);
                var ids = machines.Select(m => m.Id).ToList();
                var held = await BatchClaims.HeldAsync(c, ids);
                if (held.Count > 0)
                    throw Overlap(machines, held);
                var batchId = await c.ExecuteScalarAsync<long>(
                    """
                    INSERT INTO batches (action, params, user_name, force, host_count, idempotency_key, request_hash, created_at, excluded)
                    VALUES (@action, @params, @user, @force, @count, @key, @hash, @now, @excludedJson) RETURNING id
                    """,
                    new
                    {
                        action = plan.Action, @params = json, user, force = body.Force == true,
                        count = ids.Count, key = idempotencyKey, hash, now, excludedJson,
                    });
                await JobSubmission.CheckImageAsync(c, plan, parameters);
                // The jobs are the claims: a unique violation here means another batch took one of the machines first.
                await jobs.QueueAsync(c, BatchClaims.InClaimOrder(machines.Select(m => (m.Id, m.SiteId)), m => m.Id),
                    plan, parameters, user, $"batch:{batchId}", batchId);
                await JobEvents.AcceptedAsync(c, batchId, plan.Action, user, ids.Count, excluded.Count, now);
                return (batchId, ids.Count, machines.Select(m => m.OwnerTeam));
            }, ct);
            jobs.WakeWorkers();
            BatchMetrics.Accepted(plan.Action, count, took.Elapsed);
            return (BatchReader.Accepted(id, plan.Action, json, user, body!.Force == true, count, now, excludedJson, teams), true);
        }
        catch (Exception e) when (DbErrors.IsUniqueViolation(e))
        {
            // Lost a race: another submission committed first — the same Idempotency-Key, or a claim on one of our machines.
            if (idempotencyKey is not null && await PreviousAsync(db, user, idempotencyKey, hash, ct) is { } same) return (await ReadAsync(db, same, ct), false);
            await using var c = await db.OpenAsync(ct);
            var machines = await ResolveAsync(c, hosts, plan, body!.Force == true, caller);
            var held = await BatchClaims.HeldAsync(c, [.. machines.Select(m => m.Id)]);
            throw Overlap(machines, held);
        }
    }

    /// <summary>What is asked of other systems, outside any transaction (it takes seconds): the in-use hooks before a
    /// destructive action (any host they refuse refuses the batch, 422), then the BMCs when a precheck is asked for.
    /// Returns the machines to leave out, by id, each named as the submitter named it, with its reason, in the order of
    /// the host list; or throws when the mode is to reject.</summary>
    private async Task<Dictionary<long, BatchExclusion>> OutsideAsync(Database db, IReadOnlyList<string> hosts, JobPlan plan, bool force, Caller caller,
                                                                PrecheckMode mode, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var machines = await ResolveAsync(c, hosts, plan, force, caller);
        var inUse = await hooks.RefusalsAsync(c, plan.Action, [.. machines.Select(m => m.Id)], ct);
        if (inUse.Count > 0)
            throw new BatchInvalidException([.. hosts.Zip(machines).Where(p => inUse.ContainsKey(p.Second.Id)).Select(p => new HostReason(p.First, inUse[p.Second.Id].Reason))]);
        if (mode == PrecheckMode.None) return [];
        var failures = await precheck.FailuresAsync(c, [.. machines.Select(m => m.Id)], ct);
        if (failures.Count > 0 && mode == PrecheckMode.Reject)
        {
            // Refused, but the dead BMCs are still news: the event opens their triage tickets as an exclusion would.
            var failed = hosts.Zip(machines).Where(p => failures.ContainsKey(p.Second.Id))
                .Select(p => new JobEvents.RejectedHost(p.First, p.Second.Id, failures[p.Second.Id])).ToList();
            await db.InTransactionAsync(async w =>
            {
                await JobEvents.RejectedAsync(w, plan.Action, caller.Name, hosts.Count, failed, clock.GetUtcNow());
                return 0;
            }, ct);
            throw new BatchInvalidException([.. machines.Where(m => failures.ContainsKey(m.Id)).Select(m => new HostReason(Name(m), failures[m.Id]))]);
        }
        // Named by the submitter's own word for the host (a hostname or a hardware_name), so they can find it in their list.
        var excluded = new Dictionary<long, BatchExclusion>();
        foreach (var (host, m) in hosts.Zip(machines).Where(p => failures.ContainsKey(p.Second.Id)))
            excluded[m.Id] = new BatchExclusion(host, failures[m.Id]);
        return excluded;
    }

    private static (JobPlan Plan, IReadOnlyDictionary<string, JsonElement> Params, IReadOnlyList<string> Hosts, PrecheckMode Mode) Check(BatchSubmit? body, int maxHosts)
    {
        var v = new Validation();
        var action = v.Required("action", body?.Action)?.ToLowerInvariant();
        if (action is not null && !Actions.Contains(action)) v.Add("action", $"'{action}' is not a batch action; use one of {string.Join(", ", Actions)}.");
        var hosts = (body?.Hosts ?? []).Select(h => h?.Trim().ToLowerInvariant() ?? "").ToList();
        if (hosts.Count == 0) v.Add("hosts", "is required: at least one hostname or hardware_name.");
        if (hosts.Count > maxHosts) v.Add("hosts", $"has {hosts.Count} hosts; a batch takes at most {maxHosts} (INGOT_JOBS_BATCH_MAX_HOSTS).");
        if (hosts.Any(h => h.Length == 0)) v.Add("hosts", "has an empty entry.");
        var parameters = body?.Params ?? new Dictionary<string, JsonElement>();
        var plan = action is not null && Actions.Contains(action) ? JobPlans.Find(action) : null;
        if (plan is not null) JobPlans.Validate(plan.Action, parameters, v);
        var mode = BatchPrecheck.Mode(body?.Precheck, v);
        v.ThrowIfInvalid();
        return (plan!, parameters, hosts, mode);
    }

    /// <summary>The hosts' machines, or every reason some cannot be in the batch.</summary>
    private static async Task<List<MachineRow>> ResolveAsync(DataContext c, IReadOnlyList<string> hosts, JobPlan plan, bool force, Caller caller)
    {
        var byName = new Dictionary<string, MachineRow>();
        foreach (var row in await c.QueryAsync<MachineRow>(
                     // The owners are joined once, outside the union: PostgreSQL plans every run (custom plans), and the
                     // joins inside each leg doubled that planning.
                     $"""
                     SELECT m.id, m.hardware_name, m.hostname, m.state, m.maintenance, m.maintenance_reason, m.bmc_driver, m.site_id, {MachineOwners.Columns}
                     FROM (SELECT id, hardware_name, hostname, state, maintenance, maintenance_reason, bmc_driver, site_id, role_id
                           FROM machines WHERE {Sql.AnyOf(c, "hostname", "names")}
                           UNION ALL
                           SELECT id, hardware_name, hostname, state, maintenance, maintenance_reason, bmc_driver, site_id, role_id
                           FROM machines WHERE {Sql.AnyOf(c, "hardware_name", "names")}) m {MachineOwners.Joins}
                     """, new { names = Sql.List(hosts.Distinct()) }))
        {
            // A name that is one machine's hostname and another's hardware_name means the hostname: people act by it.
            if (row.Hostname is not null) byName[row.Hostname] = row;
            byName.TryAdd(row.HardwareName, row);
        }
        var reasons = new List<HostReason>();
        var seen = new HashSet<long>();
        var machines = new List<MachineRow>();
        var suggested = 0;
        var denied = false;
        foreach (var host in hosts)
        {
            if (!byName.TryGetValue(host, out var m))
            {
                // Near names for the first few only: a pasted list of the wrong fleet must not cost a lookup per line.
                var near = suggested++ < NearNameLookups ? await NearNames.FindAsync(c, host) : [];
                reasons.Add(new(host, "no machine has this hostname or hardware_name" + (near.Count > 0 ? $"; did you mean {string.Join(", ", near)}?" : "")));
                continue;
            }
            if (!seen.Add(m.Id)) { reasons.Add(new(host, "is listed more than once")); continue; }
            if (caller.MachineRefusal(plan.Action, new MachineOwner(Name(m), m.OwnerRole, m.OwnerTeamId, m.OwnerTeam, m.OwnerSite)) is { } refusal)
            {
                reasons.Add(new(host, refusal));
                denied = true;
            }
            else if (Reason(m, plan, force) is { } reason) reasons.Add(new(host, reason));
            machines.Add(m);
        }
        if (reasons.Count > 0) throw new BatchInvalidException(reasons, denied);
        return machines;
    }

    /// <summary>The single-job admission rule, then the batch's own: a destructive action on an in_use machine needs
    /// <c>force</c>, since one wrong line in a host list would otherwise erase a running service. (Before these, the
    /// caller's right to act on each machine, read with the machines: no round trip per host.)</summary>
    private static string? Reason(MachineRow m, JobPlan plan, bool force) =>
        JobSubmission.Refusal(m.HardwareName, m.State, m.Maintenance, m.MaintenanceReason, m.BmcDriver, plan)?.Message
        ?? JobSubmission.ForceRefusal(m.State, plan, force);

    private static BatchOverlapException Overlap(IEnumerable<MachineRow> machines, Dictionary<long, long> held) =>
        new([.. machines.Where(m => held.ContainsKey(m.Id)).Select(m => new HostReason(Name(m), "in another batch", held[m.Id]))]);

    private static string Name(MachineRow m) => m.Hostname ?? m.HardwareName;

    private static async Task<BatchView> ReadAsync(Database db, long id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await BatchReader.GetAsync(c, id);
    }

    private static async Task<long?> PreviousAsync(Database db, string user, string key, string hash, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<(long Id, string RequestHash)?>(
            "SELECT id, request_hash FROM batches WHERE user_name = @user AND idempotency_key = @key", new { user, key });
        if (row is not { } previous) return null;
        if (previous.RequestHash != hash)
            throw Idempotency.Reused(key, $"batch {previous.Id}");
        return previous.Id;
    }
}
