using Dapper;
using Ingot.Server.Data;
using Microsoft.Extensions.Logging;

namespace Ingot.Server.Jobs;

/// <summary>The BMC watch's pace (INGOT_BMC_WATCH_*: Hosting/ServerOptions).</summary>
public sealed record BmcWatchOptions
{
    public bool Run { get; init; } = true;

    /// <summary>How often every BMC is looked at (each sweep starts this long, jittered, after the last one ended).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>BMCs probed at once. Most of a probe is waiting (a BMC that is gone costs its timeouts), and the IPMI
    /// sockets are shared, so many at once cost little: the benchmark's 5% of BMCs gone took 37 s at 64.</summary>
    public int Concurrency { get; init; } = 256;

    /// <summary>The sweep spreads its probes over at least this long, so that it takes a fraction of a core rather than
    /// bursts of all of them (10,000 BMCs cost about 10 s of CPU: over 30 s, a third of a core). Zero: flat out.</summary>
    public TimeSpan Spread { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Machines read and probed per step of a sweep; the lease is renewed between steps.</summary>
    public int Page { get; init; } = 500;
}

/// <summary>Watches every BMC between jobs (Spotify: "cables will become loose"): a sweep, on one node at a time (a loop
/// lease), probes each machine's BMC with one cheap session (<see cref="BmcProbe"/>), bounded, and feeds the outcome to
/// the BMC's circuit (<see cref="BmcCircuit"/>), so its health, history and bmc.health_changed events are the jobs' own:
/// a loose cable shows before the next reimage hits it, and a BMC that answers again shows as recovered. A BMC whose
/// circuit is open is left alone until it may be tried again: the breaker's growing wait is the watch's backoff on it.</summary>
public sealed partial class BmcWatch(Database db, BmcProbe probe, BmcCircuit circuit, BmcWatchOptions options, TimeProvider clock, ILogger<BmcWatch> log)
    : LeasedLoop(LeaseName, NewHolder(), options.Interval, options.Lease,
        db, clock, log)
{
    public const string LeaseName = "bmc-watch";

    protected override async Task TickAsync(CancellationToken ct)
    {
        if (await HoldAsync(ct)) await SweepAsync(ct);
    }

    /// <returns>How many BMCs it probed, and how many of them failed; null when another node holds the watch.</returns>
    /// <param name="spread">Overrides <see cref="BmcWatchOptions.Spread"/> for this sweep (the benchmark's flat-out run).</param>
    public async Task<(int Probed, int Failed)?> SweepAsync(CancellationToken ct, TimeSpan? spread = null)
    {
        var probed = 0;
        var failed = 0;
        long after = 0;
        long total;
        await using (var c = await Db.OpenAsync(ct))
            total = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM machines WHERE bmc_driver IS NOT NULL AND bmc_address IS NOT NULL");
        var started = Clock.GetTimestamp();
        while (true)
        {
            List<BmcProbe.Row> page;
            await using (var c = await Db.OpenAsync(ct))
                page = (await c.QueryAsync<BmcProbe.Row>(
                    $"""
                    SELECT {BmcProbe.Columns} FROM machines m
                    WHERE m.id > @after AND m.bmc_driver IS NOT NULL AND m.bmc_address IS NOT NULL
                      AND NOT EXISTS (SELECT 1 FROM bmc_health h WHERE h.machine_id = m.id AND h.retry_after > @now)
                    ORDER BY m.id LIMIT @take
                    """, new { after, now = Clock.GetUtcNow(), take = options.Page })).AsList();
            if (page.Count == 0) break;
            after = page[^1].Id;
            // Paced: a page starts no sooner than its share of the spread (read first, so the sweep ends with its last
            // page, not a share later; machines added meanwhile make the sweep longer, not their page later).
            total = Math.Max(total, probed + page.Count);
            var due = (spread ?? options.Spread) * ((double)probed / total) - Clock.GetElapsedTime(started);
            if (due > TimeSpan.Zero) await Task.Delay(due, Clock, ct);
            var outcomes = await probe.ProbeAllAsync(page, options.Concurrency, ct);
            foreach (var (machine, error) in outcomes)
            {
                await circuit.RecordAsync(machine, error, ct, decisive: true);
                probed++;
                if (error is not null) failed++;
            }
            if (!await HoldAsync(ct)) break; // another node took the watch over: it sweeps from the start
        }
        LogSwept(Log, probed, failed);
        return (probed, failed);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "BMC watch: {Probed} BMCs probed, {Failed} did not answer as they should")]
    private static partial void LogSwept(ILogger logger, int probed, int failed);
}
