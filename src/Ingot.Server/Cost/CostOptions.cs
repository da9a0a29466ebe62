namespace Ingot.Server.Cost;

/// <summary>Cost reports and their weekly summary (INGOT_COST_* variables, declared in Hosting/ServerOptions).</summary>
public sealed record CostOptions
{
    /// <summary>What SKUs' hourly prices are in, as reports show it.</summary>
    public string Currency { get; init; } = "USD";

    /// <summary>How often the summary loop looks for a week that has ended without its summaries.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How long a node holds the summary loop's lease without renewing it.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Held machines with no job for this many days (and in no pool) are waste, unless a report asks otherwise.</summary>
    public int IdleDays { get; init; } = 14;
}
