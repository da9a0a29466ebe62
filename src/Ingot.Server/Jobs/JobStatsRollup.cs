using Dapper;
using Ingot.Server.Data;
using Microsoft.Extensions.Logging;

namespace Ingot.Server.Jobs;

/// <summary>Folds ended jobs into the statistics' rollups (migration 0025), on one node at a time (a loop lease): a
/// job's ending only notes its id, and this takes a few thousand notes at a time, adds their jobs and steps to the
/// hourly rows and deletes the notes, in one transaction, so each job is counted once however the fold is interrupted.
/// Until then the statistics read the noted jobs themselves (JobStatsQuery), so nothing waits for it to be correct.</summary>
public sealed class JobStatsRollup(Database db, TimeProvider clock, ILogger<JobStatsRollup> log)
    : LeasedLoop(LeaseName, NewHolder(), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), db, clock, log)
{
    public const string LeaseName = "job-stats";

    /// <summary>Jobs per fold: a short write (SQLite's one writer waits for it), and still few statements per job.</summary>
    public const int Batch = 2_000;

    protected override async Task TickAsync(CancellationToken ct)
    {
        if (!await HoldAsync(ct)) return;
        while (await FoldOnceAsync(ct) == Batch) { }
    }

    /// <returns>How many ended jobs it folded (0: none were waiting).</returns>
    public Task<int> FoldOnceAsync(CancellationToken ct) => Db.InTransactionAsync(async c =>
    {
        var ids = (await c.QueryAsync<long>(
            "DELETE FROM job_stats_pending WHERE job_id IN (SELECT job_id FROM job_stats_pending ORDER BY job_id LIMIT @batch) RETURNING job_id",
            new { batch = Batch })).AsList();
        if (ids.Count == 0) return 0;
        var args = new { ids = Sql.List(ids) };
        await c.ExecuteAsync(JobStatsQuery.FoldJobs(c), args);
        await c.ExecuteAsync(JobStatsQuery.FoldSteps(c), args);
        return ids.Count;
    }, ct);
}
