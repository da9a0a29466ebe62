using System.Globalization;
using Dapper;
using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Inventory;

namespace Ingot.Server.Capacity;

/// <summary>What reclaim's rules select now (docs/reclaim.md), read in one snapshot: the dry run shows it and the run
/// acts on it, so the two cannot differ by a rule of their own. A machine is listed once, under the first rule it meets
/// (<see cref="ReclaimRules.All"/>'s order); one that cannot be recycled as things stand is listed as skipped, with why.</summary>
public static class ReclaimSelection
{
    public sealed record Ask(IReadOnlyList<string> Rules, string? Site, int DefunctDays, int UnusedDays);

    private sealed class Row
    {
        public long MachineId { get; init; }
        public string HardwareName { get; init; } = "";
        public string? Hostname { get; init; }
        public string State { get; init; } = "";
        public string? Site { get; init; }
        public string? Role { get; init; }
        public string? Team { get; init; }
        public bool Maintenance { get; init; }
        public string? MaintenanceReason { get; init; }
        public DateTimeOffset? Since { get; init; }
        public long? RequestId { get; init; }
    }

    private const string Machine =
        """
        m.id AS machine_id, m.hardware_name, m.hostname, m.state, os.name AS site, r.name AS role, t.name AS team, m.maintenance, m.maintenance_reason
        """;

    /// <summary>The time of the machine's last state change: its history's newest row, by the (machine_id, id) index.</summary>
    private const string LastChange = "(SELECT h.at FROM state_history h WHERE h.machine_id = m.id ORDER BY h.id DESC LIMIT 1)";

    public static async Task<ReclaimReport> SelectAsync(DataContext c, Ask ask, DateTimeOffset now)
    {
        var site = ask.Site is null ? "" : " AND os.name = @site";
        var args = new { now, site = ask.Site, unused = now.AddDays(-ask.UnusedDays), defunct = now.AddDays(-ask.DefunctDays) };
        var found = new List<(string Rule, Row Row)>();
        async Task Rule(string rule, string sql)
        {
            if (!ask.Rules.Contains(rule)) return;
            found.AddRange((await c.QueryAsync<Row>(sql, args)).Select(r => (rule, r)));
        }
        await Rule(ReclaimRules.LeaseExpired,
            $"""
            SELECT {Machine}, q.expires_at AS since, q.id AS request_id
            FROM request_machines rm JOIN provisioning_requests q ON q.id = rm.request_id JOIN machines m ON m.id = rm.machine_id {MachineOwners.Joins}
            WHERE rm.status = 'in_use' AND q.kind = 'request' AND q.expires_at <= @now AND q.status NOT IN ('cancelled', 'expired')
              AND m.state IN ('allocated', 'in_use'){site}
            """);
        await Rule(ReclaimRules.UnownedRole,
            $"""
            SELECT {Machine}, {LastChange} AS since FROM machines m {MachineOwners.Joins}
            WHERE m.state IN ('allocated', 'in_use') AND (m.role_id IS NULL OR NOT EXISTS (SELECT 1 FROM team_members tm WHERE tm.team_id = r.team_id)){site}
            """);
        // Idle: no state change and no job (a power cycle is someone at work) since the cut-off.
        foreach (var (rule, state, cutoff) in new[] { (ReclaimRules.NeverInstalled, "allocated", "@unused"), (ReclaimRules.Defunct, "broken", "@defunct") })
            await Rule(rule,
                $"""
                SELECT {Machine}, {LastChange} AS since FROM machines m {MachineOwners.Joins}
                WHERE m.state = '{state}' AND {LastChange} <= {cutoff}
                  AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.machine_id = m.id AND j.created_at > {cutoff}){site}
                """);

        var ids = found.Select(f => f.Row.MachineId).Distinct().ToList();
        var busy = ids.Count == 0 ? [] : (await c.QueryAsync<(long MachineId, long JobId, string Action)>(
            $"SELECT machine_id, id AS job_id, action FROM jobs WHERE status IN ('queued', 'running') AND {Sql.AnyOf(c, "machine_id", "ids")}",
            new { ids = Sql.List(ids) })).GroupBy(j => j.MachineId).ToDictionary(g => g.Key, g => g.First());
        // Members of a live request or pool are theirs to give back (a pool would replace a machine taken from it); only a
        // lease run out makes a request's machines reclaim's.
        var held = ids.Count == 0 ? [] : (await c.QueryAsync<(long MachineId, long RequestId, string Kind)>(
            $"""
            SELECT rm.machine_id, q.id AS request_id, q.kind FROM request_machines rm JOIN provisioning_requests q ON q.id = rm.request_id
            WHERE rm.status IN ('installing', 'in_use') AND q.status NOT IN ('cancelled', 'expired') AND {Sql.AnyOf(c, "rm.machine_id", "ids")}
            """, new { ids = Sql.List(ids) })).ToDictionary(h => h.MachineId);

        var machines = new List<ReclaimCandidate>();
        var skipped = new List<ReclaimSkip>();
        var seen = new HashSet<long>();
        foreach (var (rule, m) in found.OrderBy(f => IndexOf(f.Rule)).ThenBy(f => f.Row.MachineId))
        {
            if (!seen.Add(m.MachineId)) continue;
            var host = m.Hostname ?? m.HardwareName;
            var skip = m.Maintenance ? $"in maintenance{(m.MaintenanceReason is { } why ? $" ({why})" : "")}: whoever put it there decides"
                : busy.TryGetValue(m.MachineId, out var job) ? $"job {job.JobId} ({job.Action}) is queued or running on it"
                : rule != ReclaimRules.LeaseExpired && held.TryGetValue(m.MachineId, out var h)
                    ? $"a member of {h.Kind} {h.RequestId}: {(h.Kind == Pools.Kind ? "resize or delete the pool" : "cancel the request")} to give it back"
                : null;
            if (skip is not null) skipped.Add(new ReclaimSkip(m.MachineId, host, rule, skip));
            else machines.Add(new ReclaimCandidate(m.MachineId, m.HardwareName, m.Hostname, m.State, m.Site, m.Role, m.Team, rule, Reason(rule, m, ask), m.Since));
        }
        var counts = ReclaimRules.All.Where(ask.Rules.Contains).ToDictionary(r => r, r => machines.Count(m => m.Rule == r));
        return new ReclaimReport([.. ReclaimRules.All.Where(ask.Rules.Contains)], ask.Site, ask.DefunctDays, ask.UnusedDays, now, counts, machines, skipped);
    }

    private static int IndexOf(string rule) => ReclaimRules.All.ToList().IndexOf(rule);

    private static string Reason(string rule, Row m, Ask ask) => rule switch
    {
        ReclaimRules.LeaseExpired => $"the lease of request {m.RequestId} ended {Time(m.Since)} and its machines were kept",
        ReclaimRules.UnownedRole when m.Role is null => $"{m.State} with no role",
        ReclaimRules.UnownedRole => $"its role {m.Role} belongs to team {m.Team}, which has no members",
        ReclaimRules.NeverInstalled => $"allocated{(m.Role is null ? "" : $" to {m.Role}")} since {Time(m.Since)} and never installed (no job in {ask.UnusedDays} days)",
        _ => $"broken since {Time(m.Since)}, no change or job in {ask.DefunctDays} days",
    };

    private static string Time(DateTimeOffset? at) => at?.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) ?? "an unknown time";
}
