using System.Text.Json;
using Dapper;
using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Jobs;

namespace Ingot.Server.Capacity;

/// <summary>Takes machines for a request, inside the transaction that holds the request's row: picks available ones of
/// its SKU in its site (RackSpread), names them (HostnameTemplate), moves them to allocated with the role and the name,
/// records them as the request's and queues their installs. Two requests racing for one machine cannot both get it
/// (DESIGN.md §4.3): the move is conditional on the machine still being available, so the second request's update
/// finds it allocated and skips it, and the request_machines index refuses a second owner whatever happens.</summary>
public sealed class Allocator(JobSubmission jobs, RequestOptions options)
{
    /// <summary>An open request as the allocator needs it.</summary>
    public sealed class RequestRow
    {
        public long Id { get; init; }
        public string Kind { get; init; } = "request";
        public long RoleId { get; init; }
        public string Role { get; init; } = "";
        public long SiteId { get; init; }
        public string Site { get; init; } = "";
        public long SkuId { get; init; }
        public string Sku { get; init; } = "";
        public int Count { get; init; }
        public string Image { get; init; } = "";
        public string HostnameTemplate { get; init; } = "";
        public bool Spread { get; init; }
        public string UserName { get; init; } = "";
        public string Status { get; init; } = "";
        public int Replacements { get; init; }
        public int FailureStreak { get; init; }
        public string? ShortReason { get; init; }
        public string? CancelledBy { get; init; }
        public DateTimeOffset? ExpiresAt { get; init; }
        public DateTimeOffset? LeaseRemindedAt { get; init; }
        public DateTimeOffset? LeaseExpiredAt { get; init; }
    }

    /// <summary>Allocates up to <paramref name="wanted"/> machines and queues their installs.</summary>
    /// <returns>How many it took, and why it took fewer (null when it took them all).</returns>
    /// <param name="faltering">Members whose installs are failing and have spares: not counted in their racks' share,
    /// so a spare may go where the machine it stands in for is.</param>
    /// <param name="spares">Machines the request holds beyond its count while they stand in for faltering ones: the
    /// racks' share is of the count and these.</param>
    /// <param name="timings">Where to add the time the decision and its writes took (Server-Timing of POST /requests).</param>
    public async Task<(int Taken, string? Short)> AllocateAsync(DataContext c, RequestRow r, int wanted, IReadOnlyCollection<long> faltering, int spares,
                                                                DateTimeOffset now, AllocationTimings? timings = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var candidates = (await c.QueryAsync<RackSpread.Candidate>(
            """
            SELECT m.id, k.name AS rack FROM machines m LEFT JOIN racks k ON k.id = m.rack_id
            WHERE m.site_id = @SiteId AND m.state = 'available' AND m.sku_id = @SkuId AND NOT m.maintenance ORDER BY m.id
            """, r)).AsList();
        var held = (await c.QueryAsync<(long MachineId, string? Rack)>(
                """
                SELECT rm.machine_id, k.name AS rack FROM request_machines rm JOIN machines m ON m.id = rm.machine_id
                LEFT JOIN racks k ON k.id = m.rack_id WHERE rm.request_id = @Id AND rm.status IN ('installing', 'in_use')
                """, r))
            .Where(h => !faltering.Contains(h.MachineId)).GroupBy(h => h.Rack ?? "").ToDictionary(g => g.Key, g => g.Count());
        var (picked, share) = RackSpread.Pick(candidates, held, r.Count + spares, wanted, r.Spread);
        var taken = picked.Count == 0 ? [] : await TakeAsync(c, r, picked, now, clock, timings);
        if (picked.Count == 0 && timings is not null) timings.Decide += clock.Elapsed;
        if (taken.Count > 0)
        {
            var plan = JobPlans.Find(JobActions.Install)!;
            var parameters = new Dictionary<string, JsonElement> { ["image"] = JsonSerializer.SerializeToElement(r.Image) };
            var jobIds = await jobs.QueueAsync(c, [.. taken.Select(t => (t.Id, (long?)r.SiteId))], plan, parameters, r.UserName, $"request:{r.Id}", null);
            await ReleaseStaleAsync(c, taken, now);
            var rows = new BulkRows(("machine_id", taken.Select(t => t.Id).ToArray()), ("hostname", taken.Select(t => t.Hostname).ToArray()),
                ("job_id", jobIds.ToArray()));
            var args = new DynamicParameters(new { r.Id, now });
            await c.ExecuteAsync(
                $"""
                INSERT INTO request_machines (request_id, machine_id, hostname, job_id, status, created_at, updated_at)
                SELECT @Id, p.machine_id, p.hostname, p.job_id, 'installing', @now, @now FROM {rows.From(c, "p", args)}
                """, args);
        }
        if (timings is not null && picked.Count > 0) timings.Write += clock.Elapsed;
        var missing = wanted - taken.Count;
        if (missing == 0) return (taken.Count, null);
        var spreadNote = r.Spread && candidates.Count > picked.Count
            ? $"; {candidates.Count - picked.Count} more are in racks that hold their share already (at most {share} per rack: spread)"
            : "";
        return (taken.Count, $"short by {missing}: {candidates.Count} available machine(s) of SKU {r.Sku} in site {r.Site}{spreadNote}");
    }

    /// <summary>A machine that was available belongs to no request, whatever an older request's line still says: one
    /// given back outside its request (recycled by hand, reclaimed) before that request's pass saw it. Those lines are
    /// closed here, or the one-owner index would refuse the new line and stall this request on that machine.</summary>
    private static Task ReleaseStaleAsync(DataContext c, List<(long Id, string Hostname)> taken, DateTimeOffset now) =>
        c.ExecuteAsync(
            $"""
            UPDATE request_machines SET updated_at = @now, reason = 'the machine was given back outside the request',
                status = CASE WHEN status = 'in_use' AND (SELECT q.kind FROM provisioning_requests q WHERE q.id = request_machines.request_id) = 'request'
                              THEN '{RequestPass.Returned}' ELSE 'released' END
            WHERE {Sql.AnyOf(c, "machine_id", "ids")} AND status IN ('installing', 'in_use', 'releasing')
            """, new { now, ids = Sql.List(taken.Select(t => t.Id)) });

    /// <summary>Moves the picks that are still available to allocated, named and with the role, and records the moves.</summary>
    private async Task<List<(long Id, string Hostname)>> TakeAsync(DataContext c, RequestRow r, List<RackSpread.Candidate> picked, DateTimeOffset now,
                                                                  System.Diagnostics.Stopwatch clock, AllocationTimings? timings)
    {
        var number = await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM request_machines WHERE request_id = @Id", r);
        var names = await NamesAsync(c, r, picked.Count, number);
        // The decision ends here: which machines, under which names. The rest writes it.
        if (timings is not null) timings.Decide += clock.Elapsed;
        clock.Restart();
        var taken = await MoveAsync(c, r, picked, names, now);
        if (taken.Count == 0) return taken;
        var history = new BulkRows(("machine_id", taken.Select(t => t.Id).ToArray()));
        var hargs = new DynamicParameters(new { role = r.Role, roleId = r.RoleId, actor = $"{r.UserName} (request {r.Id})", reason = $"provisioning request {r.Id}: {r.Count} × {r.Sku} in {r.Site} for {r.Role}", now });
        await c.ExecuteAsync(
            $"""
            INSERT INTO state_history (machine_id, from_state, to_state, trigger, actor, reason, at, role, team)
            SELECT h.machine_id, 'available', 'allocated', 'allocate', @actor, @reason, @now, @role,
                   (SELECT ht.name FROM roles hr JOIN teams ht ON ht.id = hr.team_id WHERE hr.id = @roleId)
            FROM {history.From(c, "h", hargs)}
            """, hargs);
        return taken;
    }

    /// <summary>The conditional move itself. PostgreSQL joins the picks in one UPDATE … FROM. SQLite planned that join
    /// as a scan of every machine per pick (76 s for 1,000 picks at 100,000 machines, bench/run.sh requests): there the
    /// picks move in one UPDATE by primary key, then each gets its name by primary key, in its one writer's transaction.</summary>
    private static async Task<List<(long Id, string Hostname)>> MoveAsync(DataContext c, RequestRow r, List<RackSpread.Candidate> picked, string[] names,
                                                                         DateTimeOffset now)
    {
        if (c.IsPostgres)
        {
            var rows = new BulkRows(("id", picked.Select(p => p.Id).ToArray()), ("hostname", names));
            var args = new DynamicParameters(new { r.RoleId, now });
            return [.. await c.QueryAsync<(long Id, string Hostname)>(
                $"""
                UPDATE machines SET state = 'allocated', hostname = p.hostname, role_id = @RoleId, version = version + 1, updated_at = @now
                FROM {rows.From(c, "p", args)} WHERE machines.id = p.id AND machines.state = 'available' AND NOT machines.maintenance
                RETURNING machines.id, machines.hostname
                """, args)];
        }
        var moved = (await c.QueryAsync<long>(
            $"""
            UPDATE machines SET state = 'allocated', role_id = @RoleId, version = version + 1, updated_at = @now
            WHERE {Sql.AnyOf(c, "id", "ids")} AND state = 'available' AND NOT maintenance RETURNING id
            """, new { r.RoleId, now, ids = Sql.List(picked.Select(p => p.Id)) })).ToHashSet();
        var taken = new List<(long Id, string Hostname)>(moved.Count);
        for (var i = 0; i < picked.Count; i++)
        {
            if (!moved.Contains(picked[i].Id)) continue;
            await c.ExecuteAsync("UPDATE machines SET hostname = @hostname WHERE id = @id", new { id = picked[i].Id, hostname = names[i] });
            taken.Add((picked[i].Id, names[i]));
        }
        return taken;
    }

    /// <summary>A name per pick, none of them another machine's: a random part that clashes is drawn again.</summary>
    private async Task<string[]> NamesAsync(DataContext c, RequestRow r, int count, int numbered)
    {
        var names = Enumerable.Range(0, count)
            .Select(i => HostnameTemplate.Render(r.HostnameTemplate, r.Role, r.Site, options.Domain, HostnameTemplate.Random(), numbered + i + 1)).ToArray();
        for (var round = 0; round < 5; round++)
        {
            var clashes = (await c.QueryAsync<string>($"SELECT hostname FROM machines WHERE {Sql.AnyOf(c, "hostname", "names")}",
                new { names = Sql.List(names) })).ToHashSet();
            var repeated = names.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key);
            clashes.UnionWith(repeated);
            if (clashes.Count == 0) return names;
            if (!r.HostnameTemplate.Contains("{random}", StringComparison.Ordinal))
                throw new Api.ConflictException($"the hostnames of request {r.Id} clash with other machines': {string.Join(", ", clashes.Take(5))}; its template has no {{random}} to draw again");
            for (var i = 0; i < names.Length; i++)
                if (clashes.Contains(names[i]))
                    names[i] = HostnameTemplate.Render(r.HostnameTemplate, r.Role, r.Site, options.Domain, HostnameTemplate.Random(), numbered + i + 1);
        }
        throw new Api.ConflictException($"could not draw hostnames for request {r.Id} that no machine has");
    }
}

/// <summary>What a request's allocations took: the decision (candidates, rack spread, names) and its writes (the move,
/// history, install jobs, the request's lines).</summary>
public sealed class AllocationTimings
{
    public TimeSpan Decide { get; set; }
    public TimeSpan Write { get; set; }
}
