using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Api;
using Ingot.Server.Inventory;
using Ingot.Server.SelfService;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Ingot.Server.Jobs;

/// <summary>/api/v1/machines/{id}/jobs (submit) and /api/v1/jobs (list, show, cancel, broker limits and load).
/// Submission answers 202 at once with the queued job: the API never waits on a BMC (DESIGN.md §4.5).</summary>
public static class JobEndpoints
{
    public static void MapJobs(this RouteGroupBuilder api)
    {
        api.MapPost("/machines/{id}/jobs", SubmitAsync).WithTags("Jobs").WithMetadata(TokenScope.Submission.Instance);
        api.MapGet("/machines/{id}/bmc-health", BmcHealthAsync).WithTags("Jobs");
        api.MapGet("/machines/{id}/actions", ActionsAsync).WithTags("Jobs");
        var jobs = api.MapGroup("/jobs").WithTags("Jobs");
        jobs.MapGet("", ListAsync);
        jobs.MapGet("/broker", BrokerAsync);
        jobs.MapGet("/stats", StatsAsync);
        jobs.MapGet("/{id:long}", GetAsync);
        jobs.MapPost("/{id:long}/cancel", CancelAsync);
    }

    /// <summary>The machine's BMC health as it changed (from jobs' steps and the BMC watch), newest first, at most 100.</summary>
    private static async Task<Ok<List<BmcHealthChange>>> BmcHealthAsync(string id, Database db, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var machineId = await MachineReader.ResolveAsync(c, id);
        return TypedResults.Ok(await BmcHealthEvents.HistoryAsync(c, machineId, 100));
    }

    /// <summary>Every job action on the machine, and whether the caller may submit it (and why not), by the same rule a
    /// submission is checked with: what a portal or a script shows before it offers a button. The answer is a courtesy;
    /// the submission is still checked.</summary>
    private static async Task<Ok<List<MachineActionView>>> ActionsAsync(string id, HttpContext http, Database db, CancellationToken ct)
    {
        var caller = Caller.From(http);
        await using var c = await db.OpenAsync(ct);
        var owner = await MachineOwners.ReadAsync(c, await MachineReader.ResolveAsync(c, id));
        return TypedResults.Ok(JobPlans.Actions.Order(StringComparer.Ordinal).Select(action =>
        {
            var refusal = caller.Scope is { } scope && !scope.Allows(action)
                ? $"this token of '{caller.Name}' is scoped to {scope.Describe()}"
                : caller.MachineRefusal(action, owner);
            return new MachineActionView(action, refusal is null, refusal, JobPlans.Erases(action));
        }).ToList());
    }

    // Who may act on which machine is docs/authorization.md's table (Api/Permissions), checked before the job is queued.
    /// <summary>202 with the queued job; 200 with the first one when the same Idempotency-Key, machine and body come again.</summary>
    private static async Task<Results<Accepted<JobView>, Ok<JobView>>> SubmitAsync(
        string id, JobSubmit? body, HttpContext http, Database db, JobSubmission submission, InUseHooks hooks, CancellationToken ct)
    {
        var plan = JobSubmission.CheckAction(body);
        var caller = Caller.From(http);
        caller.RequireScope(plan.Action);
        var key = Idempotency.Key(http);
        string Hash(long machineId) => Idempotency.Hash(body, machineId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (JobPlans.Erases(plan.Action)) await AskHooksAsync(db, hooks, id, plan, body, caller, key, Hash, ct);
        try
        {
            var (view, created) = await db.InTransactionAsync(async c =>
            {
                var machineId = await MachineReader.ResolveAsync(c, id);
                caller.RequireMachineAction(plan.Action, await MachineOwners.ReadAsync(c, machineId));
                var parameters = JobSubmission.CheckParams(plan, body);
                var hash = Hash(machineId);
                if (key is not null && await JobIdempotency.PreviousAsync(c, caller.Name, key, hash) is { } previous)
                    return (await JobReader.GetAsync(c, previous), false);
                var jobId = await submission.SubmitAsync(c, machineId, plan, parameters, caller.Name, "api", force: body?.Force == true);
                if (key is not null) await JobIdempotency.RecordAsync(c, jobId, key, hash);
                return (await JobReader.GetAsync(c, jobId), true);
            }, ct);
            if (!created) return TypedResults.Ok(view);
            submission.WakeWorkers();
            return TypedResults.Accepted($"/api/v1/jobs/{view.Id}", view);
        }
        catch (Exception e) when (key is not null && DbErrors.IsUniqueViolation(e))
        {
            // Lost a race with the same key (another node committed first): answer with the job it queued.
            await using var c = await db.OpenAsync(ct);
            if (await JobIdempotency.PreviousAsync(c, caller.Name, key, Hash(await MachineReader.ResolveAsync(c, id))) is not { } previous) throw;
            return TypedResults.Ok(await JobReader.GetAsync(c, previous));
        }
    }

    /// <summary>Before a destructive job, outside its transaction (a hook may take seconds): the in-use hooks of the
    /// machine's role and site (InUseHooks). Only for a caller who may act on the machine, with valid params, and not for a repeat of a
    /// request already accepted (its answer is the job it queued).</summary>
    private static async Task AskHooksAsync(Database db, InUseHooks hooks, string id, JobPlan plan, JobSubmit? body, Caller caller,
                                            string? key, Func<long, string> hash, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var machineId = await MachineReader.ResolveAsync(c, id);
        caller.RequireMachineAction(plan.Action, await MachineOwners.ReadAsync(c, machineId));
        JobSubmission.CheckParams(plan, body);
        if (key is not null && await JobIdempotency.PreviousAsync(c, caller.Name, key, hash(machineId)) is not null) return;
        if ((await hooks.RefusalsAsync(c, plan.Action, [machineId], ct)).Values.FirstOrDefault() is { } refusal) throw refusal.Exception();
    }

    /// <summary>Success rates, runtimes, queue lags and step durations of the jobs queued in a window (default the last 7
    /// days), single jobs and batches' alike unless <c>source</c> says which; optionally of one action or site; with
    /// <c>steps=true</c> the steps' durations too (a second pass, over every step).</summary>
    private static async Task<Ok<JobStats>> StatsAsync(HttpContext http, Database db, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var q = new QueryText(http.Request.Query, ["since", "until", "source", "action", "site", "steps"], "job statistics", v);
        var until = q.Time("until") ?? clock.GetUtcNow();
        var since = q.Time("since") ?? until.AddDays(-7);
        v.When(since >= until, "since", "must be before until.");
        var source = q.Text("source")?.ToLowerInvariant() ?? "all";
        v.When(source is not ("all" or "batch" or "single"), "source", $"'{source}' is not all, batch or single.");
        var action = q.Text("action")?.ToLowerInvariant();
        v.When(action is not null && JobPlans.Find(action) is null, "action", $"'{action}' is not a job action; use one of {string.Join(", ", JobPlans.Actions)}.");
        var site = q.Text("site");
        var steps = q.Bool("steps") ?? false;
        v.ThrowIfInvalid();
        await using var c = await db.OpenAsync(ct);
        await NamedRows.RequireAsync(c, "sites", "site", site);
        return TypedResults.Ok(await JobStatsQuery.RunAsync(c, since, until, source, action, site, steps));
    }

    private static async Task<Ok<Page<JobView>>> ListAsync(HttpContext http, Database db, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return TypedResults.Ok(await JobReader.ListAsync(c, http.Request.Query));
    }

    private static async Task<Ok<JobView>> GetAsync(long id, Database db, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return TypedResults.Ok(await JobReader.GetAsync(c, id));
    }

    /// <summary>A queued job is cancelled at once (200); a running one is asked to stop at its next step boundary
    /// (202; its status turns 'cancelled' when it does). The job's user or an admin may cancel.</summary>
    private static async Task<IResult> CancelAsync(long id, HttpContext http, Database db, TimeProvider clock, CancellationToken ct)
    {
        var caller = Caller.From(http);
        var (view, accepted) = await db.InTransactionAsync(async c =>
        {
            var job = await c.QuerySingleOrDefaultAsync<(string Status, string UserName, string? LeaseOwner, long MachineId)>(
                "SELECT status, user_name, lease_owner, machine_id FROM jobs WHERE id = @id" + Sql.ForUpdate(c), new { id });
            if (job.Status is null) throw new NotFoundException("job", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var owner = await MachineOwners.ReadAsync(c, job.MachineId);
            if (!caller.MayCancel(job.UserName, owner))
                throw new ForbiddenException($"Job {id} belongs to '{job.UserName}' on machine {owner.Machine} " +
                                             (owner.Team is null ? "(free pool)" : $"(team {owner.Team})") +
                                             "; only they, that team's members, operators or an admin may cancel it.");
            if (job.Status is not ("queued" or "running"))
                throw new ConflictException($"Job {id} has already ended ({job.Status}); there is nothing to cancel.");
            await JobCancellation.CancelAsync(c, "id = @id", id, caller.Name, clock.GetUtcNow());
            // Accepted (202) when a worker holds the job: it ends at its next step boundary. A parked job has ended now.
            return (await JobReader.GetAsync(c, id), job.Status == "running" && job.LeaseOwner is not null);
        }, ct);
        return accepted ? TypedResults.Accepted($"/api/v1/jobs/{id}", view) : TypedResults.Ok(view);
    }

    private sealed class LoadRow
    {
        public string? Site { get; init; }
        public string Status { get; init; } = "";
        public long Count { get; init; }
    }

    private static async Task<Ok<BrokerStatus>> BrokerAsync(Database db, JobOptions options, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = (await c.QueryAsync<LoadRow>(
            """
            SELECT s.name AS site, j.status, COUNT(*) AS count
            FROM jobs j LEFT JOIN sites s ON s.id = j.site_id
            WHERE j.status IN ('queued', 'running') GROUP BY s.name, j.status
            """)).ToList();
        var sites = rows.GroupBy(r => r.Site).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new SiteLoad(g.Key, g.Where(r => r.Status == "running").Sum(r => r.Count),
                                      g.Where(r => r.Status == "queued").Sum(r => r.Count), options.PerSiteLimit))
            .ToList();
        return TypedResults.Ok(new BrokerStatus(
            options.Workers, options.PerSiteLimit, options.MaxAttempts, options.StepRetries, options.Lease.TotalSeconds,
            sites.Sum(s => s.Queued), sites.Sum(s => s.Running), sites));
    }
}
