using System.Data.Common;
using System.Text.Json;
using Dapper;
using Ingot.Bmc;
using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Inventory;
using Microsoft.Extensions.Logging;
using Ingot.Server.Api;

namespace Ingot.Server.Jobs;

/// <summary>The broker's queue in the database, shared by every node on it. A claim is a lease (owner, expiry)
/// renewed by heartbeat; a lease left to expire is reaped back to the queue, and the next claimer resumes the job at
/// its first unfinished step. Every write a worker makes is fenced by its lease, so a node that lost a job (paused
/// past its lease) cannot record over the node that took it.</summary>
public sealed partial class DatabaseJobQueue(Database db, SecretBox secrets, JobOptions options, TimeProvider clock, ILogger<DatabaseJobQueue> log)
    : IJobQueue
{
    private readonly BmcCircuit circuit = new(db, options, clock);

    /// <summary>The BMCs' circuit breaker the claims read and the steps feed; the BMC watch feeds the same one.</summary>
    public BmcCircuit Circuit => circuit;
    private long lastReap, claims;

    /// <summary>This process among the nodes sharing the database: host, process id and a random suffix, so a
    /// restarted process never mistakes its predecessor's leases for its own.</summary>
    public string NodeId { get; } = LeasedLoop.NewHolder();

    public async Task<IReadOnlyList<ClaimedJob>> ClaimAsync(int max, CancellationToken ct)
    {
        if (max <= 0) return [];
        var now = clock.GetUtcNow();
        await ReapAsync(now, ct);
        List<long> ids;
        try
        {
            ids = await db.InTransactionAsync(c => PickAsync(c, max, now), ct);
        }
        catch (Exception e) when (DbErrors.IsUniqueViolation(e))
        {
            // Another node started a job on one of these machines between our read and our update; the unique
            // index on running jobs per machine refused ours. Nothing was claimed; the next round picks again.
            return [];
        }
        if (ids.Count == 0) return [];
        await using var connection = await db.OpenAsync(ct);
        return await LoadAsync(connection, ids);
    }

    private sealed class FirstClaim
    {
        public long Id { get; init; }
        public string Action { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
    }

    private sealed class Candidate
    {
        public long Id { get; init; }
        public long MachineId { get; init; }
        public long? SiteId { get; init; }
    }

    private sealed class SiteCount
    {
        public long? SiteId { get; init; }
        public long Count { get; init; }
    }

    /// <summary>Fair order (<c>fair_rank</c>, see JobSubmission), skipping machines that already run a job or whose
    /// BMC circuit is open, and sites at their limit. On PostgreSQL the candidates are row-locked with SKIP LOCKED
    /// (nodes claim different jobs without waiting) and the candidates' sites are locked before their running
    /// jobs are counted, so the per-site limit holds across nodes; SQLite's single writer gives both for free.</summary>
    private async Task<List<long>> PickAsync(DataContext c, int max, DateTimeOffset now)
    {
        var load = await SiteLoadAsync(c);
        long[] full = [.. load.Where(s => s.Value >= options.PerSiteLimit).Select(s => s.Key)];
        var siteFilter = full.Length == 0 ? "" : $" AND (j.site_id IS NULL OR NOT {Sql.AnyOf(c, "j.site_id", "full")})";
        var candidates = (await c.QueryAsync<Candidate>(
            $"""
            SELECT j.id, j.machine_id, j.site_id FROM jobs j
            WHERE j.status = 'queued' AND j.run_after <= @now{siteFilter}
              AND NOT EXISTS (SELECT 1 FROM jobs r WHERE r.machine_id = j.machine_id AND r.status = 'running')
              AND NOT EXISTS (SELECT 1 FROM bmc_health h WHERE h.machine_id = j.machine_id AND h.retry_after > @now)
            ORDER BY j.fair_rank, j.id
            LIMIT @scan{Sql.ForUpdateSkipLocked(c, "j")}
            """, new { now, full = Sql.List(full), scan = max * 2 + 16 })).AsList();
        if (candidates.Count == 0) return [];
        long[] sites = [.. candidates.Where(x => x.SiteId is not null).Select(x => x.SiteId!.Value).Distinct().Order()];
        // Serialises claimers of a site (without blocking inserts of machines that reference it); counted again once held.
        if (sites.Length > 0 && await Sql.LockRowsAsync(c, "sites", sites))
            load = await SiteLoadAsync(c);
        var picked = new List<long>();
        var machines = new HashSet<long>();
        foreach (var candidate in candidates)
        {
            if (picked.Count == max) break;
            if (!machines.Add(candidate.MachineId)) continue; // one running job per machine
            if (candidate.SiteId is { } site)
            {
                var running = load.GetValueOrDefault(site);
                if (running >= options.PerSiteLimit) continue;
                load[site] = running + 1;
            }
            picked.Add(candidate.Id);
        }
        if (picked.Count == 0) return picked;
        var token = $"{NodeId}#{Interlocked.Increment(ref claims)}";
        var pickedArgs = new { picked = Sql.List(picked) };
        var firstRows = (await c.QueryAsync<FirstClaim>(
            $"SELECT id, action, created_at FROM jobs WHERE {Sql.AnyOf(c, "id", "picked")} AND started_at IS NULL", pickedArgs)).AsList();
        var first = firstRows.Select(r => r.Id).ToList();
        foreach (var r in firstRows) JobMetrics.Started(r.Action, now - r.CreatedAt);
        await c.ExecuteAsync(
            $"""
            UPDATE jobs SET status = 'running', lease_owner = @node, lease_expires = @expires,
                attempt = CASE WHEN attempt < 1 THEN 1 ELSE attempt END, started_at = COALESCE(started_at, @now),
                lag_seconds = COALESCE(lag_seconds, {(c.IsPostgres ? "EXTRACT(EPOCH FROM (@now - created_at))" : "(julianday(@now) - julianday(created_at)) * 86400.0")})
            WHERE {Sql.AnyOf(c, "id", "picked")}
            """, new { node = token, expires = now + options.Lease, now, picked = Sql.List(picked) });
        await AddStepsAsync(c, picked);
        if (first.Count > 0) await JobEvents.WriteAsync(c, JobEvents.Started, Sql.AnyOf(c, "j.id", "first"), new { first = Sql.List(first) }, now);
        return picked;
    }

    /// <summary>Every plan's steps as rows (action, position, name), to join jobs with.</summary>
    private static readonly BulkRows PlanSteps = StepRows();

    private static BulkRows StepRows()
    {
        var steps = JobPlans.Actions.SelectMany(a => JobPlans.Find(a)!.Steps.Select((step, i) => (Action: a, Position: i, step.Name))).ToArray();
        return new(("action", steps.Select(s => s.Action).ToArray()), ("position", steps.Select(s => s.Position).ToArray()),
            ("name", steps.Select(s => s.Name).ToArray()));
    }

    /// <summary>A job's step rows are written when it is first claimed, not when it is queued: queueing a batch of
    /// 10,000 then writes 10,000 rows rather than 10,000 × its steps, with as many fewer foreign-key checks (half of a
    /// batch's acceptance time on PostgreSQL, docs/BENCHMARKS.md). Until then a job's steps are its plan's, all pending
    /// (<see cref="JobReader"/> shows them so). A job claimed again (a retry, a reaped lease) keeps its rows.</summary>
    private static Task AddStepsAsync(DataContext c, List<long> picked)
    {
        var args = new DynamicParameters(new { picked = Sql.List(picked) });
        return c.ExecuteAsync(
            $"""
            INSERT INTO job_steps (job_id, position, name, status, attempt)
            SELECT j.id, s.position, s.name, 'pending', 0 FROM jobs j JOIN {PlanSteps.From(c, "s", args)} ON s.action = j.action
            WHERE {Sql.AnyOf(c, "j.id", "picked")} AND NOT EXISTS (SELECT 1 FROM job_steps x WHERE x.job_id = j.id)
            """, args);
    }

    private static async Task<Dictionary<long, long>> SiteLoadAsync(DataContext c)
    {
        var rows = await c.QueryAsync<SiteCount>(
            "SELECT site_id, COUNT(*) AS count FROM jobs WHERE status = 'running' AND lease_owner IS NOT NULL AND site_id IS NOT NULL GROUP BY site_id");
        return rows.ToDictionary(r => r.SiteId!.Value, r => r.Count);
    }

    /// <summary>Jobs whose node stopped renewing go back to the queue, keeping their attempt and their steps' records.
    /// Runs at most four times per lease period on each node; any node may reap any other's jobs.</summary>
    private async Task ReapAsync(DateTimeOffset now, CancellationToken ct)
    {
        var last = Interlocked.Read(ref lastReap);
        if (now.UtcTicks - last < options.Lease.Ticks / 4 || Interlocked.CompareExchange(ref lastReap, now.UtcTicks, last) != last) return;
        // Two kinds come back here: jobs parked in a waiting step whose deadline came (no lease holder: the normal end of
        // a wait), and jobs whose node stopped renewing (a holder: a node died or stalled). Only the second is a warning.
        var (deadlines, reaped) = await db.InTransactionAsync(async c => (
            await c.ExecuteAsync(
                "UPDATE jobs SET status = 'queued', lease_expires = NULL WHERE status = 'running' AND lease_owner IS NULL AND lease_expires < @now",
                new { now }),
            await c.ExecuteAsync(
                "UPDATE jobs SET status = 'queued', lease_owner = NULL, lease_expires = NULL WHERE status = 'running' AND lease_expires < @now",
                new { now })), ct);
        if (deadlines > 0) LogDeadlines(deadlines);
        if (reaped > 0) LogReaped(reaped);
    }

    /// <summary>At start, on a database this process holds alone (<see cref="Database.HoldAlone"/>: SQLite, one node), every
    /// lease in it is a previous process's, and that process is gone: its jobs go back to the queue at once instead of
    /// after their leases (issue 11 A.8). Jobs parked in a waiting step hold no lease and stay parked: their images'
    /// callbacks, retried across the restart (docs/boot.md), wake them. Nothing on a shared database (PostgreSQL), where
    /// a lease's holder may be a live node.</summary>
    /// <returns>How many jobs were taken back.</returns>
    public async Task<int> TakeBackFromGoneNodesAsync(CancellationToken ct)
    {
        if (!db.HeldAlone) return 0;
        var taken = await db.WriteAsync(c => c.ExecuteAsync(
            "UPDATE jobs SET status = 'queued', lease_owner = NULL, lease_expires = NULL WHERE status = 'running' AND lease_owner IS NOT NULL AND lease_owner NOT LIKE @node",
            new { node = NodeId + "#%" }), ct);
        if (taken > 0) LogTakenBack(taken);
        return taken;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Took back {Count} jobs that the previous run of this server held when it ended (this process holds the SQLite database alone, so that run is gone); they resume at their first unfinished step")]
    private partial void LogTakenBack(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Took back {Count} jobs whose node stopped renewing its lease; they resume at their first unfinished step")]
    private partial void LogReaped(int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} jobs waiting for their images reached their deadline; back to the queue to fail or retry the attempt")]
    private partial void LogDeadlines(int count);

    private sealed class ClaimRow
    {
        public long Id { get; init; }
        public string Action { get; init; } = "";
        public long MachineId { get; init; }
        public string HardwareName { get; init; } = "";
        public string UserName { get; init; } = "";
        public string Params { get; init; } = "{}";
        public int Attempt { get; init; }
        public int MaxAttempts { get; init; }
        public string? BmcDriver { get; init; }
        public string? BmcAddress { get; init; }
        public int? BmcPort { get; init; }
        public string? BmcUsername { get; init; }
        public byte[]? BmcPassword { get; init; }
        public string LeaseOwner { get; init; } = "";
        public string? BootMode { get; init; }
    }

    private sealed class StepRow
    {
        public long JobId { get; init; }
        public int Position { get; init; }
        public string Name { get; init; } = "";
        public string Status { get; init; } = "";
        public int Attempt { get; init; }
        public DateTimeOffset? StartedAt { get; init; }
    }

    private async Task<IReadOnlyList<ClaimedJob>> LoadAsync(DataContext c, List<long> ids)
    {
        var args = new { ids = Sql.List(ids) };
        var jobs = await c.QueryAsync<ClaimRow>(
            $"""
            SELECT j.id, j.action, j.machine_id, m.hardware_name, j.user_name, j.params, j.attempt, j.max_attempts, j.lease_owner,
                   m.bmc_driver, m.bmc_address, m.bmc_port, m.bmc_username, m.bmc_password, {BootModes.Sql} AS boot_mode
            FROM jobs j JOIN machines m ON m.id = j.machine_id LEFT JOIN skus k ON k.id = m.sku_id
            WHERE {Sql.AnyOf(c, "j.id", "ids")}
            """, args);
        var steps = (await c.QueryAsync<StepRow>(
                $"SELECT job_id, position, name, status, attempt, started_at FROM job_steps WHERE {Sql.AnyOf(c, "job_id", "ids")} ORDER BY job_id, position", args))
            .ToLookup(s => s.JobId);
        return [.. jobs.Select(j => new ClaimedJob(
            j.Id, j.Action, j.MachineId, j.HardwareName, j.UserName,
            JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(j.Params) ?? [],
            j.Attempt, j.MaxAttempts, Target(j),
            [.. steps[j.Id].Select(s => new ClaimedStep(s.Position, s.Name, Wire.TryParse<StepStatus>(s.Status, out var st) ? st : StepStatus.Pending, s.Attempt, s.StartedAt))],
            j.LeaseOwner, BootModes.IsUefi(j.BootMode)))];
    }

    private BmcTarget? Target(ClaimRow j)
    {
        if (j.BmcDriver is null || j.BmcAddress is null) return null;
        var password = j.BmcPassword is null ? null : secrets.Open(j.BmcPassword);
        var port = j.BmcPort ?? BmcDrivers.DefaultPort(j.BmcDriver, "https");
        return new BmcTarget(j.BmcDriver, j.BmcAddress, port, j.BmcUsername, password);
    }
}
