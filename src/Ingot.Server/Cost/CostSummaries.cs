using System.Globalization;
using Dapper;
using Ingot.Server.Data;
using Microsoft.Extensions.Logging;

namespace Ingot.Server.Cost;

/// <summary>The weekly per-team cost summary (docs/cost.md), an event for e-mail later (issue 14): once an ISO week
/// (Monday 00:00 UTC to Monday) has ended, the node holding the "cost-summaries" lease writes one
/// <c>cost.weekly_summary</c> per team that held machines in it. A week's summaries are written once, together: the loop
/// looks for one written since the week ended, so a restart, a second node or a missed tick writes no second.</summary>
public sealed class CostSummaries(Database db, CostOptions options, TimeProvider clock, ILogger<CostSummaries> log)
    : LeasedLoop(LeaseName, NewHolder(), options.Interval, options.Lease,
        db, clock, log)
{
    public const string LeaseName = "cost-summaries", EventType = "cost.weekly_summary";

    /// <summary>The last ISO week that has ended at <paramref name="now"/>: its Monday and the next.</summary>
    public static (DateTimeOffset Since, DateTimeOffset Until, string Week) LastWeek(DateTimeOffset now)
    {
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var monday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
        var since = monday.AddDays(-7);
        return (since, monday, string.Create(CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(since.UtcDateTime)}-W{ISOWeek.GetWeekOfYear(since.UtcDateTime):D2}"));
    }

    /// <returns>How many summaries it wrote; null when another node holds the lease.</returns>
    public async Task<int?> RunOnceAsync(CancellationToken ct)
    {
        if (!await HoldAsync(ct)) return null;
        var now = Clock.GetUtcNow();
        var (since, until, week) = LastWeek(now);
        return await Db.InTransactionAsync(async c =>
        {
            // A week's summaries are written in one transaction, so one of them written since it ended means all were: the
            // hourly ticks of the rest of the week read no reports.
            if (await c.ExecuteScalarAsync<long?>("SELECT id FROM events WHERE type = @type AND at >= @until LIMIT 1",
                    new { type = EventType, until }) is not null) return 0;
            var report = await CostReports.ReadAsync(c, null, null, since, until, options.Currency);
            var waste = await WasteReports.ReadAsync(c, null, null, options.IdleDays, now, options.Currency);
            var written = 0;
            foreach (var team in report.Teams.Where(t => t.Team is not null))
            {
                var subject = $"team:{team.Team}";
                var wasted = waste.Machines.Where(m => m.Team == team.Team).ToList();
                await Events.WriteAsync(c, EventType, subject, new
                {
                    team = team.Team, week, since, until, currency = options.Currency, machine_hours = team.MachineHours, cost = team.Cost,
                    roles = report.Lines.Where(l => l.Team == team.Team).GroupBy(l => l.Role)
                        .Select(g => new { role = g.Key, machine_hours = Math.Round(g.Sum(l => l.MachineHours), 4), cost = g.Sum(l => l.Cost) }),
                    waste = new { machines = wasted.Count, hourly = wasted.Sum(m => m.HourlyPrice ?? 0), idle_days = options.IdleDays },
                }, now);
                written++;
            }
            return written;
        }, ct);
    }

    protected override Task TickAsync(CancellationToken ct) => RunOnceAsync(ct);
}
