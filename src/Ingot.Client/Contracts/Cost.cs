namespace Ingot.Client;

/// <summary>Machine-hours and their cost for one team, role and SKU over the report's window (docs/cost.md). A machine's
/// hours count from the state history while a team holds it: allocated, installing or in use. <c>hourly_price</c> is
/// the SKU's now; null: the SKU has no price and its hours cost nothing.</summary>
public sealed record CostLine(string? Team, string? Role, string Sku, double MachineHours, decimal? HourlyPrice, decimal Cost);

public sealed record TeamCost(string? Team, double MachineHours, decimal Cost);

/// <summary>GET /api/v1/cost: <c>teams</c> sums the lines per team, highest cost first; <c>unpriced_skus</c> names the SKUs
/// whose hours were counted at no cost. A null team or role: machines held without one.</summary>
public sealed record CostReport(DateTimeOffset Since, DateTimeOffset Until, string Currency, double MachineHours, decimal Cost,
                                IReadOnlyList<TeamCost> Teams, IReadOnlyList<CostLine> Lines, IReadOnlyList<string> UnpricedSkus);

public sealed record CostQuery(string? Team = null, string? Role = null, DateTimeOffset? Since = null, DateTimeOffset? Until = null);

/// <summary>A machine held but idle: its reason, since when, what it costs per hour and what it has cost since.</summary>
public sealed record WasteLine(long MachineId, string HardwareName, string? Hostname, string State, string? Site, string? Team, string? Role, string? Sku,
                               string Reason, DateTimeOffset? IdleSince, decimal? HourlyPrice, double IdleHours, decimal Wasted);

/// <summary>GET /api/v1/cost/waste: held machines nobody uses: a lease run out, or no job for <c>idle_days</c> and in no
/// pool. <c>hourly_waste</c>: what they cost each hour they stay so.</summary>
public sealed record WasteReport(DateTimeOffset At, int IdleDays, string Currency, decimal HourlyWaste, decimal Wasted, IReadOnlyList<WasteLine> Machines);

public sealed record WasteQuery(string? Team = null, string? Site = null, int? IdleDays = null);
