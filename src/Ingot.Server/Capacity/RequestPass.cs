using System.Globalization;
using Dapper;
using Ingot.Client;
using Ingot.Server.Api;
using Ingot.Server.Data;
using Ingot.Server.Jobs;

namespace Ingot.Server.Capacity;

/// <summary>One look at one request or pool, in one transaction holding its row: what its installs came to (in use, or
/// failed: the machine is left broken with its evidence and replaced), what its releases came to, then the allocation of
/// what it still lacks, and its status. A pool is a request that never ends: a member that breaks once in use is
/// replaced too, and a pool larger than its desired size drains its newest members. The same pass runs when the request is made, when it is cancelled and on every tick of
/// the reconciler, so no path has rules of its own; repeating it changes nothing that has not changed.</summary>
public sealed class RequestPass(Allocator allocator, JobSubmission jobs, RequestOptions options, TimeProvider clock)
{
    public const string Select =
        """
        SELECT q.id, q.kind, q.role_id, ro.name AS role, q.site_id, s.name AS site, q.sku_id, k.name AS sku, q.count, q.image, q.hostname_template,
               q.spread, q.user_name, q.status, q.replacements, q.failure_streak, q.short_reason, q.cancelled_by,
               q.expires_at, q.lease_reminded_at, q.lease_expired_at
        FROM provisioning_requests q JOIN roles ro ON ro.id = q.role_id JOIN sites s ON s.id = q.site_id JOIN skus k ON k.id = q.sku_id
        """;

    private sealed class MemberRow
    {
        public long Id { get; init; }
        public long MachineId { get; init; }
        public string Status { get; init; } = "";
        public long? JobId { get; init; }
        public string? JobStatus { get; init; }
        public string? JobAction { get; init; }
        public string? JobError { get; init; }
        public int? JobAttempt { get; init; }
        public string State { get; init; } = "";
        public long? SiteId { get; init; }
    }

    public const string NoWipeImage = "waiting for a wipe image in the catalog to give it back (POST /api/v1/images, kind wipe): without one its wipe would fail and leave it broken";

    /// <summary>A request's machine that left it outside the request, counted as delivered: not replaced.</summary>
    public const string Returned = "returned";

    /// <summary>States a machine in use leaves its request or pool for. A reimage (installing) or a cancelled one
    /// (allocated) keeps it the owner's, with its role and name.</summary>
    public static readonly string[] LeftStates = ["broken", "recycling", "available", "decommissioned", "new"];

    private static bool Left(string state) => LeftStates.Contains(state);

    /// <summary>Ends that a job reaches and does not leave.</summary>
    private static bool Ended(string? status) => status is "succeeded" or "failed" or "cancelled";

    /// <returns>Whether it queued jobs (the caller wakes this node's workers after the commit).</returns>
    public async Task<bool> RunAsync(DataContext c, long id, string? cancelledBy = null, AllocationTimings? timings = null)
    {
        var now = clock.GetUtcNow();
        var r = await c.QuerySingleOrDefaultAsync<Allocator.RequestRow>($"{Select} WHERE q.id = @id{(c.IsPostgres ? " FOR NO KEY UPDATE OF q" : "")}", new { id })
                ?? throw new NotFoundException("request", id.ToString(CultureInfo.InvariantCulture));
        var cancelled = r.Status == Wire.Name(RequestStatus.Cancelled) || cancelledBy is not null;
        var pool = r.Kind == Pools.Kind;
        var leaseOver = !cancelled && await LeaseAsync(c, r, now);
        var expired = r.Status == Wire.Name(RequestStatus.Expired) || (leaseOver && options.RecycleOnExpiry);
        // A request that ended either way gives its machines back; only its status says which.
        var ending = cancelled || expired;
        var why = cancelled ? "the request was cancelled" : "the request's lease expired";
        var queued = false;
        var failures = r.Replacements;
        var streak = r.FailureStreak;
        var members = (await c.QueryAsync<MemberRow>(
            """
            SELECT rm.id, rm.machine_id, rm.status, rm.job_id, j.status AS job_status, j.action AS job_action, j.error AS job_error,
                   j.attempt AS job_attempt, m.state, m.site_id
            FROM request_machines rm JOIN machines m ON m.id = rm.machine_id LEFT JOIN jobs j ON j.id = rm.job_id
            WHERE rm.request_id = @id AND rm.status IN ('installing', 'in_use', 'releasing')
            """, new { id })).AsList();
        bool? wipeImage = null;
        // Null when there is no wipe image: the machine is not given back yet (its wipe would fail and leave it broken),
        // and a later pass tries again; the line says what it waits for.
        async Task<long?> Recycle(MemberRow m)
        {
            wipeImage ??= await Inventory.ImageRow.OfKindAsync(c, ImageKind.Wipe) is not null;
            if (wipeImage == false) return null;
            queued = true;
            return await RecycleAsync(c, r, m);
        }
        var moved = false;
        // Where each open member ends this pass, so the counts need no second read.
        var final = members.ToDictionary(m => m.Id, m => m.Status);
        string? team = null;
        async Task Set(MemberRow m, string status, string? reason, DateTimeOffset at, long? jobId = null)
        {
            final[m.Id] = status;
            await SetAsync(c, m.Id, status, reason, at, jobId, waiting: status == "releasing" && jobId is null && wipeImage == false);
            if (status == m.Status) return;
            // A member's change is an event of its own: the request's status may not change with it (a spare install that
            // fails after the request was fulfilled), and whoever follows the request must still hear of it.
            team ??= await TeamOfAsync(c, r);
            await Events.WriteAsync(c, $"{r.Kind}.{Member}", $"{r.Kind}:{r.Id}",
                new { Id = r.Id, Kind = r.Kind, MachineId = m.MachineId, Status = status, Previous = m.Status, Reason = reason, User = r.UserName },
                at, new EventAbout(MachineId: m.MachineId, Team: team, User: r.UserName));
        }
        foreach (var m in members)
        {
            if (m.Status == "installing" && ending && !Ended(m.JobStatus) && m.JobId is { } running)
            {
                await JobCancellation.CancelAsync(c, "id = @id", running, cancelledBy ?? (expired ? "lease expiry" : r.UserName), now);
                await Set(m, "releasing", why, now);
            }
            else if (m.Status == "installing" && m.State == "in_use" && m.JobStatus == "succeeded")
            {
                await Set(m, ending ? "releasing" : "in_use", null, now, ending ? await Recycle(m) : m.JobId);
                // A pool gives up on failures in a row, not on failures ever: a good install starts the count again.
                streak = 0;
            }
            else if (m.Status == "installing" && Ended(m.JobStatus))
            {
                failures++;
                streak++;
                var evidence = $"install job {m.JobId} {m.JobStatus}: {m.JobError ?? "no error recorded"}";
                // A machine the broker gave up on is broken: left there for repair, with the job as its evidence. One that
                // is not (its install was cancelled from outside) goes back to the pool.
                if (m.State == "broken") await Set(m, "failed", evidence, now);
                else await Set(m, "releasing", evidence, now, await Recycle(m));
            }
            else if (m.Status == "in_use" && ending)
                await Set(m, "releasing", why, now, await Recycle(m));
            else if (m.Status == "in_use" && Left(m.State))
            {
                // A pool member that broke is left for repair and replaced; one taken away by hand (recycled,
                // decommissioned, reclaimed) is no longer the pool's, and is replaced too. A request is done with a machine
                // once it delivered it: one given back or broken later is "returned", and the request takes no other.
                if (pool && m.State == "broken") { failures++; streak++; }
                await Set(m, !pool ? Returned : m.State == "broken" ? "failed" : "released",
                    $"the machine went {m.State} after its install{(pool ? ", while in the pool" : "")}", now);
            }
            else if (m.Status == "releasing" && (Ended(m.JobStatus) || m.JobId is null))
            {
                if (m.JobAction == JobActions.Recycle || m.State is not ("allocated" or "in_use"))
                    // The reason it was given back stays; its job is now the recycle's.
                    await Set(m, "released", null, now);
                else
                    await Set(m, "releasing", null, now, await Recycle(m));
            }
            else continue;
            moved = true;
        }

        // Faltering: an install whose first attempt failed and that the broker is retrying. Its machine will likely end
        // broken, so spares are installed beside it now rather than after its retries (issue 13's "one round of retries
        // and one of replacements": they overlap). Two per faltering install by default: a spare is as likely to be bad
        // as any machine, and a chain of bad machines one after another is what set the time to fulfilled. Whichever way
        // they end, a later pass sees through it: broken, a failure its spares have already replaced; installed, one too
        // many, given back (drained) below.
        var faltering = members.Where(m => final[m.Id] == "installing" && m.JobAttempt > 1 && !Ended(m.JobStatus)).ToList();
        // More than a share of the request faltering at once is the image or the network, not the machines: spares would
        // only break more machines. Beyond it, faltering installs are waited for.
        var covered = Math.Min(faltering.Count, Math.Max(options.MinReplacements, (int)Math.Ceiling(r.Count * options.SpareShare)));
        var counts = final.Values.GroupBy(v => v).ToDictionary(g => g.Key, g => g.Count());
        int Count(string s) => counts.GetValueOrDefault(s);
        int Done() => Count("in_use") + Count(Returned);
        // What counts toward the request: machines in use or returned, and installs, less the spares each covered
        // faltering install is owed.
        int Good() => Count("installing") - options.SparesPerFailure * covered + Done();
        // Once enough are in use, the healthy installs left are spares no longer needed; before, whatever is over the count.
        var excess = Done() >= r.Count ? Done() - r.Count + Count("installing") - faltering.Count : Good() - r.Count;
        if (!ending && excess > 0 && await DrainAsync(c, r, excess, [.. faltering.Select(m => m.Id)], now, Recycle))
        {
            moved = true;
            counts = (await c.QueryAsync<(string Status, int Count)>(
                "SELECT status, COUNT(*) AS count FROM request_machines WHERE request_id = @id GROUP BY status", new { id })).ToDictionary(x => x.Status, x => x.Count);
        }
        string? shortReason = null;
        var exhausted = (pool ? streak : failures) >= Math.Max(options.MinReplacements, r.Count);
        // A lease run out without recycling (INGOT_REQUESTS_RECYCLE_ON_EXPIRY=false) takes no more machines either.
        var held = Good();
        if (!ending && !exhausted && !leaseOver && Done() < r.Count && held < r.Count)
        {
            var wanted = r.Count - held;
            var (taken, reason) = await allocator.AllocateAsync(c, r, wanted, [.. faltering.Take(covered).Select(m => m.MachineId)],
                (options.SparesPerFailure - 1) * covered, now, timings);
            queued |= taken > 0;
            shortReason = reason;
            counts["installing"] = Count("installing") + taken;
        }
        var status = cancelled ? RequestStatus.Cancelled
            : expired ? RequestStatus.Expired
            : Count("in_use") + Count(Returned) >= r.Count ? RequestStatus.Fulfilled
            : Count("installing") > 0 ? RequestStatus.Installing
            : exhausted ? RequestStatus.Failed
            : Count("in_use") + Count(Returned) > 0 ? RequestStatus.PartiallyFulfilled
            : RequestStatus.Pending;
        if (exhausted && status is not (RequestStatus.Fulfilled or RequestStatus.Cancelled or RequestStatus.Expired))
            shortReason = $"{(pool ? streak : failures)} machine(s) failed{(pool ? " in a row" : "")}, the most it replaces; short by {Math.Max(0, r.Count - Done() - Count("installing"))}";
        // Written only when something changed: updated_at then says when the request last moved, and a request waiting
        // for capacity costs the database no write per tick.
        cancelledBy = r.CancelledBy ?? cancelledBy;
        if (Wire.Name(status) != r.Status || shortReason != r.ShortReason || failures != r.Replacements || streak != r.FailureStreak || cancelledBy != r.CancelledBy || moved || queued)
            await c.ExecuteAsync(
                """
                UPDATE provisioning_requests SET status = @status, short_reason = @shortReason, replacements = @failures, failure_streak = @streak,
                    updated_at = @now, cancelled_by = @cancelledBy
                WHERE id = @id
                """, new { id, status = Wire.Name(status), shortReason, failures, streak, now, cancelledBy });
        if (Wire.Name(status) != r.Status) await StatusEventAsync(c, r, status, shortReason, failures, now);
        return queued;
    }

    public const string LeaseExpiring = "request.lease_expiring", LeaseExpired = "request.lease_expired";

    /// <summary>request.member and pool.member: one of its machines moved (installing, in_use, failed, releasing, released,
    /// returned).</summary>
    public const string Member = "member";

    /// <summary>Every event type of requests and pools, for the event catalog.</summary>
    public static IEnumerable<string> EventTypes =>
        [
            .. Enum.GetValues<RequestStatus>().Select(s => $"request.{Wire.Name(s)}"),
            .. Enum.GetValues<PoolStatus>().Select(s => $"{Pools.Kind}.{Wire.Name(s)}"),
            LeaseExpiring, LeaseExpired, Pools.Resized, $"request.{Member}", $"{Pools.Kind}.{Member}",
        ];

    /// <summary>request.&lt;status&gt; (request.fulfilled, request.failed, …) or pool.&lt;status&gt; (pool.steady, pool.short, …)
    /// when a request's or pool's status changes (docs/events.md); the role's team and the owner are what it is about.</summary>
    private static async Task StatusEventAsync(DataContext c, Allocator.RequestRow r, RequestStatus status, string? shortReason, int replacements,
                                               DateTimeOffset now)
    {
        var pool = r.Kind == Pools.Kind;
        var name = pool ? Wire.Name(PoolView.StatusOf(status)) : Wire.Name(status);
        var previous = Wire.TryParse<RequestStatus>(r.Status, out var was) ? pool ? Wire.Name(PoolView.StatusOf(was)) : r.Status : r.Status;
        if (pool && name == previous) return; // two request statuses that a pool shows as one
        var team = await TeamOfAsync(c, r);
        await Events.WriteAsync(c, $"{r.Kind}.{name}", $"{r.Kind}:{r.Id}", new
        {
            Id = r.Id, Kind = r.Kind, r.Role, Team = team, r.Site, r.Sku, r.Count, Status = name, Previous = previous, ShortReason = shortReason,
            Replacements = replacements, User = r.UserName,
        }, now, new EventAbout(Team: team, User: r.UserName));
    }

    /// <summary>The team of the request's role, which its events are about.</summary>
    private static Task<string?> TeamOfAsync(DataContext c, Allocator.RequestRow r) =>
        c.ExecuteScalarAsync<string?>("SELECT t.name FROM roles ro JOIN teams t ON t.id = ro.team_id WHERE ro.id = @RoleId", new { r.RoleId });

    /// <summary>A request's lease: its reminder event once, <see cref="RequestOptions.LeaseReminder"/> before it ends, and
    /// its expiry event once, when it ends. True once the lease has run out (a pool's members do not expire).</summary>
    private async Task<bool> LeaseAsync(DataContext c, Allocator.RequestRow r, DateTimeOffset now)
    {
        if (r.Kind == Pools.Kind || r.ExpiresAt is not { } expires) return false;
        var subject = $"request:{r.Id}";
        if (expires <= now)
        {
            if (r.LeaseExpiredAt is not null) return true;
            await Events.WriteAsync(c, LeaseExpired, subject,
                new { request = r.Id, role = r.Role, site = r.Site, expires_at = expires, user = r.UserName, recycled = options.RecycleOnExpiry }, now,
                new EventAbout(User: r.UserName));
            await c.ExecuteAsync("UPDATE provisioning_requests SET lease_expired_at = @now, updated_at = @now WHERE id = @Id", new { r.Id, now });
            return true;
        }
        if (expires - options.LeaseReminder <= now && r.LeaseRemindedAt is null)
        {
            await Events.WriteAsync(c, LeaseExpiring, subject,
                new { request = r.Id, role = r.Role, site = r.Site, expires_at = expires, user = r.UserName, extend = $"ingot lease extend {r.Id}" }, now,
                new EventAbout(User: r.UserName));
            await c.ExecuteAsync("UPDATE provisioning_requests SET lease_reminded_at = @now WHERE id = @Id", new { r.Id, now });
        }
        return false;
    }

    /// <summary>A request or pool with more good members than it asked for (a pool made smaller; a faltering install that
    /// came good after its spare) gives back its newest first: those still installing (their installs cancelled), then
    /// those in use (recycled). Faltering installs are left to end by themselves.</summary>
    private static async Task<bool> DrainAsync(DataContext c, Allocator.RequestRow r, int excess, HashSet<long> faltering, DateTimeOffset now,
                                               Func<MemberRow, Task<long?>> recycle)
    {
        var members = (await c.QueryAsync<MemberRow>(
            """
            SELECT rm.id, rm.machine_id, rm.status, rm.job_id, m.state, m.site_id FROM request_machines rm JOIN machines m ON m.id = rm.machine_id
            WHERE rm.request_id = @Id AND rm.status IN ('installing', 'in_use')
            ORDER BY CASE rm.status WHEN 'installing' THEN 0 ELSE 1 END, rm.id DESC
            """, r)).Where(m => !faltering.Contains(m.Id)).Take(Math.Max(0, excess)).ToList();
        var why = (r.Kind == Pools.Kind ? "more than the pool's size: it was made smaller, or " : "more than asked for: ")
                  + "a spare no longer needed, or a faltering install that came good after its spares";
        foreach (var m in members)
        {
            if (m.Status == "installing" && m.JobId is { } job) await JobCancellation.CancelAsync(c, "id = @id", job, r.UserName, now);
            await SetAsync(c, m.Id, "releasing", why, now, m.Status == "in_use" ? await recycle(m) : null);
        }
        return members.Count > 0;
    }

    /// <param name="waiting">Its recycle waits for a wipe image: the line's reason says so, once, after why it goes.</param>
    private static Task SetAsync(DataContext c, long memberId, string status, string? reason, DateTimeOffset now, long? jobId = null, bool waiting = false) =>
        c.ExecuteAsync(
            $"""
            UPDATE request_machines SET status = @status, job_id = COALESCE(@jobId, job_id), updated_at = @now,
                reason = CASE WHEN @waiting AND COALESCE(@reason, reason, '') NOT LIKE '%{NoWipeImage[..30]}%'
                              THEN COALESCE(COALESCE(@reason, reason) || '; ', '') || @note ELSE COALESCE(@reason, reason) END
            WHERE id = @memberId
            """, new { memberId, status, reason, jobId, now, waiting, note = NoWipeImage });

    /// <summary>Gives a machine back: a recycle job wipes it and returns it to available, its role and name released.</summary>
    private async Task<long?> RecycleAsync(DataContext c, Allocator.RequestRow r, MemberRow m)
    {
        var plan = JobPlans.Find(JobActions.Recycle)!;
        var ids = await jobs.QueueAsync(c, [(m.MachineId, m.SiteId)], plan, new Dictionary<string, System.Text.Json.JsonElement>(), r.UserName, $"request:{r.Id}", null);
        return ids[0];
    }
}
