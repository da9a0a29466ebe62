using Ingot.Client;
using Ingot.Server.Api;
using Ingot.Server.Batches;
using Ingot.Server.Data;
using Ingot.Server.Jobs;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Ingot.Server.Capacity;

/// <summary>Reclaim (docs/reclaim.md): <c>GET /api/v1/reclaim</c> is the dry run, open to anyone signed in (it shows
/// what the inventory shows); <c>POST</c> runs it as recycle batches, by operators. Both read the same selection
/// (<see cref="ReclaimSelection"/>); the run's batches go through batch submission's own checks, and the audit log
/// records the run like every other write.</summary>
public static class ReclaimEndpoints
{
    public const int DefaultDefunctDays = 7, DefaultUnusedDays = 3, MaxDays = 3650;

    public static void MapReclaim(this RouteGroupBuilder api)
    {
        var reclaim = api.MapGroup("/reclaim").WithTags("Reclaim");
        reclaim.MapGet("", ReportAsync);
        reclaim.MapPost("", RunAsync);
    }

    private static readonly string[] Known = ["rules", "site", "defunct_days", "unused_days"];

    private static async Task<Ok<ReclaimReport>> ReportAsync(HttpContext http, Database db, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var q = new QueryText(http.Request.Query, Known, "reclaim", v);
        var ask = Check(q.Text("rules")?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries), q.Text("site"),
            q.Int("defunct_days", 0, MaxDays), q.Int("unused_days", 0, MaxDays), v);
        await using var c = await db.OpenAsync(ct);
        await NamedRows.RequireAsync(c, "sites", "site", ask.Site);
        return TypedResults.Ok(await ReclaimSelection.SelectAsync(c, ask, clock.GetUtcNow()));
    }

    private static async Task<Ok<ReclaimRun>> RunAsync(ReclaimRunRequest? body, HttpContext http, Database db, BatchSubmission batches, JobOptions options,
                                                      TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        v.Range("defunct_days", body?.DefunctDays, 0, MaxDays);
        v.Range("unused_days", body?.UnusedDays, 0, MaxDays);
        v.Range("expect", body?.Expect, 0, int.MaxValue);
        var ask = Check(body?.Rules, body?.Site, body?.DefunctDays, body?.UnusedDays, v);
        var caller = Caller.From(http);
        caller.RequireScope(JobActions.Recycle);
        ReclaimReport report;
        await using (var c = await db.OpenAsync(ct))
        {
            await NamedRows.RequireAsync(c, "sites", "site", ask.Site);
            report = await ReclaimSelection.SelectAsync(c, ask, clock.GetUtcNow());
        }
        if (body?.Expect is { } expected && expected != report.Machines.Count)
            throw new ConflictException($"the selection has changed since the dry run: it lists {report.Machines.Count} machine(s) now, not {expected}. " +
                                        "Nothing was recycled; look again (GET /api/v1/reclaim) and run with the new count.");
        // Without a wipe image every recycle fails its wipe and leaves the machine broken: refused rather than done.
        if (report.Machines.Count > 0)
        {
            await using var c = await db.OpenAsync(ct);
            if (await Inventory.ImageRow.OfKindAsync(c, ImageKind.Wipe) is null)
                throw new ConflictException($"no wipe image is in the catalog: recycling the {report.Machines.Count} machine(s) would fail their wipes and " +
                                            "leave them broken. Nothing was recycled; add one (POST /api/v1/images, kind wipe) and run again.");
        }
        var skipped = report.Skipped.ToList();
        var submitted = new List<BatchView>();
        foreach (var site in report.Machines.GroupBy(m => m.Site))
            foreach (var chunk in site.Chunk(options.BatchMaxHosts))
                if (await SubmitAsync(batches, db, caller, [.. chunk], skipped, ct) is { } batch) submitted.Add(batch);
        var refused = skipped.Skip(report.Skipped.Count).Select(s => s.MachineId).ToHashSet();
        return TypedResults.Ok(new ReclaimRun(report with { Machines = [.. report.Machines.Where(m => !refused.Contains(m.MachineId))], Skipped = skipped },
            submitted));
    }

    /// <summary>One recycle batch (forced: the dry run was the look). A host the submission refuses — its in-use hook
    /// says no, it changed state or joined another batch since the selection — moves to skipped with the refusal, and
    /// the rest go again once: one machine must not hold back the others, as one bad CSV row does not sink the good.</summary>
    private static async Task<BatchView?> SubmitAsync(BatchSubmission batches, Database db, Caller caller, List<ReclaimCandidate> machines,
                                                      List<ReclaimSkip> skipped, CancellationToken ct)
    {
        for (var round = 0; ; round++)
        {
            if (machines.Count == 0) return null;
            try
            {
                var submit = new BatchSubmit(JobActions.Recycle, [.. machines.Select(m => m.HardwareName)], Force: true);
                return (await batches.SubmitAsync(db, submit, caller, null, ct)).Batch;
            }
            catch (Exception e) when (round == 0 && e is BatchInvalidException or BatchOverlapException)
            {
                var hosts = (e as BatchInvalidException)?.Hosts ?? ((BatchOverlapException)e).Hosts;
                var refused = hosts.ToDictionary(h => h.Host, h => h.Batch is { } other ? $"in batch {other}" : h.Reason);
                skipped.AddRange(machines.Where(m => refused.ContainsKey(m.HardwareName))
                    .Select(m => new ReclaimSkip(m.MachineId, m.Hostname ?? m.HardwareName, m.Rule, $"refused by the batch: {refused[m.HardwareName]}")));
                machines = [.. machines.Where(m => !refused.ContainsKey(m.HardwareName))];
            }
        }
    }

    private static ReclaimSelection.Ask Check(IReadOnlyList<string>? rules, string? site, int? defunctDays, int? unusedDays, Validation v)
    {
        var picked = rules is null or { Count: 0 } ? ReclaimRules.All : [.. rules.Select(r => r.Trim().ToLowerInvariant()).Distinct()];
        foreach (var unknown in picked.Where(r => !ReclaimRules.All.Contains(r)))
            v.Add("rules", $"'{unknown}' is not a reclaim rule; use {string.Join(", ", ReclaimRules.All)}.");
        var name = site is null ? null : v.Slug("site", site, "site");
        v.ThrowIfInvalid();
        return new ReclaimSelection.Ask(picked, name, defunctDays ?? DefaultDefunctDays, unusedDays ?? DefaultUnusedDays);
    }
}
