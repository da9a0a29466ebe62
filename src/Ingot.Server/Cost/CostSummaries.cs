using System.Globalization;
using Dapper;
using Ingot.Server.Data;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ingot.Server.Cost;

/// <summary>The weekly per-team cost summary (docs/cost.md), an event for e-mail later (issue 14): once an ISO week
/// (Monday 00:00 UTC to Monday) has ended, the node holding the "cost-summaries" lease writes one
/// <c>cost.weekly_summary</c> per team that held machines in it. A summary is written once: the loop looks for the
/// team's summary written since the week ended, so a restart, a second node or a missed tick writes no second one.</summary>
public sealed partial class CostSummaries(Database db, CostOptions options, TimeProvider clock, ILogger<CostSummaries> log)
    : BackgroundService
{
    public const string LeaseName = "cost-summaries", EventType = "cost.weekly_summary";

    /// <summary>This node's name as the lease's holder.</summary>
    private readonly string holder = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";

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
        var now = clock.GetUtcNow();
        if (!await LoopLeases.TryHoldAsync(db, LeaseName, holder, options.Lease, now, ct)) return null;
        var (since, until, week) = LastWeek(now);
        return await db.InTransactionAsync(async c =>
        {
            var report = await CostReports.ReadAsync(c, null, null, since, until, options.Currency);
            var waste = await WasteReports.ReadAsync(c, null, null, options.IdleDays, now, options.Currency);
            var written = 0;
            foreach (var team in report.Teams.Where(t => t.Team is not null))
            {
                var subject = $"team:{team.Team}";
                if (await c.ExecuteScalarAsync<long?>("SELECT id FROM events WHERE type = @type AND subject = @subject AND at >= @until LIMIT 1",
                        new { type = EventType, subject, until }) is not null) continue;
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

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LogTickFailed(e);
            }
            try
            {
                await Task.Delay(options.Interval * (0.8 + 0.4 * Random.Shared.NextDouble()), clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The weekly cost summary failed; the next tick tries again")]
    private partial void LogTickFailed(Exception e);
}
