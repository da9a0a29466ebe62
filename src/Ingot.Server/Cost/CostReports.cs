using Dapper;
using Ingot.Client;
using Ingot.Server.Data;

namespace Ingot.Server.Cost;

/// <summary>Machine-hours and cost per team, role and SKU from the state history (docs/cost.md). Each history row starts
/// an interval that the machine's next row ends (or now); the intervals in a held state (allocated, installing, in use)
/// count, clipped to the window, for the role and team the row recorded, at the SKU's price now.</summary>
public static class CostReports
{
    /// <summary>The states in which a machine is a team's, and costs it.</summary>
    public const string HeldStates = "'allocated', 'installing', 'in_use'";

    private sealed class Interval
    {
        public string? Team { get; init; }
        public string? Role { get; init; }
        public string? Sku { get; init; }
        public decimal? HourlyPrice { get; init; }
        public string ToState { get; init; } = "";
        public DateTimeOffset At { get; init; }
        public DateTimeOffset? NextAt { get; init; }
    }

    public static async Task<CostReport> ReadAsync(DataContext c, string? team, string? role, DateTimeOffset since, DateTimeOffset until, string currency)
    {
        // Only machines that can have held time in the window: changed in it, or held now (held since before it). The
        // window function then sees each such machine's whole history, so LEAD finds every interval's end.
        var rows = await c.QueryAsync<Interval>(
            $"""
            SELECT x.team, x.role, x.sku, x.hourly_price, x.to_state, x.at, x.next_at FROM (
                SELECT h.team, h.role, k.name AS sku, k.hourly_price, h.to_state, h.at,
                       LEAD(h.at) OVER (PARTITION BY h.machine_id ORDER BY h.id) AS next_at
                FROM state_history h JOIN machines m ON m.id = h.machine_id LEFT JOIN skus k ON k.id = m.sku_id
                WHERE h.machine_id IN (SELECT machine_id FROM state_history WHERE at >= @since AND at < @until
                                       UNION SELECT id FROM machines WHERE state IN ({HeldStates}))
            ) x
            WHERE x.to_state IN ({HeldStates}) AND x.at < @until AND (x.next_at IS NULL OR x.next_at > @since)
              AND (@team IS NULL OR x.team = @team) AND (@role IS NULL OR x.role = @role)
            """, new { since, until, team, role });
        var lines = rows
            .Select(r => (r.Team, r.Role, Sku: r.Sku ?? "(no sku)", HourlyPrice: Api.Wire.Plain(r.HourlyPrice),
                Hours: ((r.NextAt is { } end && end < until ? end : until) - (r.At > since ? r.At : since)).TotalHours))
            .Where(r => r.Hours > 0)
            .GroupBy(r => (r.Team, r.Role, r.Sku, r.HourlyPrice))
            .Select(g => new CostLine(g.Key.Team, g.Key.Role, g.Key.Sku, Math.Round(g.Sum(r => r.Hours), 4), g.Key.HourlyPrice,
                Money(g.Sum(r => r.Hours), g.Key.HourlyPrice)))
            .OrderByDescending(l => l.Cost).ThenBy(l => l.Team).ThenBy(l => l.Role).ThenBy(l => l.Sku)
            .ToList();
        var teams = lines.GroupBy(l => l.Team).Select(g => new TeamCost(g.Key, Math.Round(g.Sum(l => l.MachineHours), 4), g.Sum(l => l.Cost)))
            .OrderByDescending(t => t.Cost).ThenBy(t => t.Team).ToList();
        return new CostReport(since, until, currency, Math.Round(lines.Sum(l => l.MachineHours), 4), lines.Sum(l => l.Cost), teams, lines,
            [.. lines.Where(l => l.HourlyPrice is null).Select(l => l.Sku).Distinct().Order()]);
    }

    /// <summary>Hours at a price, to the cent (half away from zero, as invoices round).</summary>
    public static decimal Money(double hours, decimal? price) =>
        price is { } p ? Math.Round((decimal)hours * p, 2, MidpointRounding.AwayFromZero) : 0m;
}
