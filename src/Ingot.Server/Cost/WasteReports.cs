using Dapper;
using Ingot.Client;
using Ingot.Server.Data;

namespace Ingot.Server.Cost;

/// <summary>Held machines nobody uses (docs/cost.md): "spending is fine, wasting is not". A machine allocated or in use
/// is waste when the lease of the request that took it has run out, or when it has had no job and no state change for
/// the idle days and is in no pool (a pool's spare capacity is the point of the pool). Ingot sees jobs, not load: a
/// machine serving traffic without ever being touched looks idle here, and the report says why it listed each one.</summary>
public static class WasteReports
{
    private sealed class Row
    {
        public long MachineId { get; init; }
        public string HardwareName { get; init; } = "";
        public string? Hostname { get; init; }
        public string State { get; init; } = "";
        public string? Site { get; init; }
        public string? Team { get; init; }
        public string? Role { get; init; }
        public string? Sku { get; init; }
        public decimal? HourlyPrice { get; init; }
        public DateTimeOffset? LastChange { get; init; }
        public DateTimeOffset? LastJob { get; init; }
        public long? RequestId { get; init; }
        public DateTimeOffset? LeaseEnded { get; init; }
    }

    public static async Task<WasteReport> ReadAsync(DataContext c, string? team, string? site, int idleDays, DateTimeOffset now, string currency)
    {
        var cutoff = now.AddDays(-idleDays);
        var rows = await c.QueryAsync<Row>(
            $"""
            SELECT m.id AS machine_id, m.hardware_name, m.hostname, m.state, s.name AS site, t.name AS team, r.name AS role, k.name AS sku, k.hourly_price,
                   (SELECT h.at FROM state_history h WHERE h.machine_id = m.id ORDER BY h.id DESC LIMIT 1) AS last_change,
                   (SELECT MAX(j.created_at) FROM jobs j WHERE j.machine_id = m.id) AS last_job,
                   lease.request_id, lease.expires_at AS lease_ended
            FROM machines m LEFT JOIN sites s ON s.id = m.site_id LEFT JOIN roles r ON r.id = m.role_id LEFT JOIN teams t ON t.id = r.team_id
            LEFT JOIN skus k ON k.id = m.sku_id
            LEFT JOIN (SELECT rm.machine_id, q.id AS request_id, q.expires_at FROM request_machines rm JOIN provisioning_requests q ON q.id = rm.request_id
                       WHERE rm.status = 'in_use' AND q.kind = 'request' AND q.expires_at <= @now) lease ON lease.machine_id = m.id
            WHERE m.state IN ({CostReports.HeldStates}) AND (@team IS NULL OR t.name = @team) AND (@site IS NULL OR s.name = @site)
              AND NOT EXISTS (SELECT 1 FROM request_machines pm JOIN provisioning_requests p ON p.id = pm.request_id
                              WHERE pm.machine_id = m.id AND pm.status IN ('installing', 'in_use') AND p.kind = 'pool' AND p.status <> 'cancelled')
            ORDER BY m.id
            """, new { now, team, site });
        var lines = new List<WasteLine>();
        foreach (var m in rows)
        {
            var active = new[] { m.LastChange, m.LastJob }.Max();
            string reason;
            DateTimeOffset? since;
            if (m.LeaseEnded is { } ended) (reason, since) = ($"the lease of request {m.RequestId} ended and the machine was kept", ended);
            else if (active is null || active <= cutoff) (reason, since) = ($"no job or state change for {idleDays} days, and in no pool", active);
            else continue;
            var hours = since is { } from ? Math.Max(0, (now - from).TotalHours) : 0;
            lines.Add(new WasteLine(m.MachineId, m.HardwareName, m.Hostname, m.State, m.Site, m.Team, m.Role, m.Sku, reason, since, Api.Wire.Plain(m.HourlyPrice),
                Math.Round(hours, 4), CostReports.Money(hours, m.HourlyPrice)));
        }
        return new WasteReport(now, idleDays, currency, lines.Sum(l => l.HourlyPrice ?? 0), lines.Sum(l => l.Wasted), lines);
    }
}
