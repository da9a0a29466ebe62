using System.Diagnostics.Metrics;
using Ingot.Server.Data;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ingot.Server.Jobs;

/// <summary>Gauges read from the database every <see cref="Every"/> (not at each scrape: a scrape must not wait on a
/// query): jobs queued and running, by site, and BMCs by health. Every node reports the same fleet-wide values; take
/// max() across nodes, not sum().</summary>
public sealed partial class JobGauges(Database db, ILogger<JobGauges> log) : BackgroundService
{
    private readonly Meter meter = new("Ingot.Fleet");

    public static readonly TimeSpan Every = TimeSpan.FromSeconds(5);

    private volatile IReadOnlyList<(string Status, string Site, long Count)> jobs = [];
    private volatile IReadOnlyList<(string Status, long Count)> bmcs = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        meter.CreateObservableGauge("ingot.jobs.active", () => jobs.Select(j =>
            new Measurement<long>(j.Count, new("status", j.Status), new("site", j.Site))), description: "Jobs queued or running now, by site.");
        meter.CreateObservableGauge("ingot.bmcs", () => bmcs.Select(b => new Measurement<long>(b.Count, new KeyValuePair<string, object?>("health", b.Status))),
            description: "BMCs by health (ok counts those that never failed too).");
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var c = await db.OpenAsync(stoppingToken);
                jobs = [.. await c.QueryAsync<(string, string, long)>(
                    """
                    SELECT j.status, COALESCE(s.name, ''), COUNT(*) FROM jobs j LEFT JOIN sites s ON s.id = j.site_id
                    WHERE j.status IN ('queued', 'running') GROUP BY j.status, s.name
                    """)];
                var unhealthy = (await c.QueryAsync<(string, long)>("SELECT status, COUNT(*) FROM bmc_health WHERE status <> 'ok' GROUP BY status")).ToList();
                var all = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM machines WHERE bmc_driver IS NOT NULL");
                bmcs = [("ok", all - unhealthy.Sum(u => u.Item2)), .. unhealthy];
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LogSampleFailed(log, e);
            }
            try { await Task.Delay(Every, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
    }

    public override void Dispose()
    {
        meter.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the job and BMC gauges; trying again")]
    private static partial void LogSampleFailed(ILogger logger, Exception e);
}
