using System.CommandLine;
using Ingot.Client;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Ingot.Commands.Jobs;

/// <summary>`ingot jobs stats`: every job queued in a window — single jobs and batches' alike unless --source says which —
/// by action, site and SKU: counts by outcome, success rate, runtime and queue lag; with --steps each action's steps.</summary>
internal static class StatsCommand
{
    public static Command Create(CliContext context)
    {
        var since = new Option<string?>("--since")
        {
            Description = "Jobs queued at or after this time: ISO 8601 (2025-01-31T12:00Z) or an age such as 90s, 30m, 2h, 7d. " +
                          "The server's default is a week before --until.",
            HelpName = "time",
        };
        var until = new Option<string?>("--until") { Description = "Jobs queued before this time (ISO 8601); the server's default is now.", HelpName = "time" };
        var source = new Option<string?>("--source") { Description = "all (the default), batch (jobs of batches) or single (the others)." };
        source.AcceptOnlyFromAmong("all", "batch", "single");
        var action = new Option<string?>("--action") { Description = "Of this action only, e.g. power_cycle, reimage." };
        var site = new Option<string?>("--site") { Description = "Of machines in this site only." };
        var steps = new Option<bool>("--steps") { Description = "Also each action's step durations (a second pass, over the steps)." };

        return new Command("stats", "Show per action, site and SKU the jobs' count, outcomes, success rate, runtime and queue lag p50/p95/max.")
        {
            since, until, source, action, site, steps,
        }.Set(context, async (s, parse, ct) =>
        {
            var now = DateTimeOffset.UtcNow;
            var stats = await s.Client.GetJobStatsAsync(ListCommand.Since(parse.GetValue(since), now), ListCommand.Since(parse.GetValue(until), now, "--until"),
                parse.GetValue(source), parse.GetValue(action), parse.GetValue(site), parse.GetValue(steps), ct);
            await s.Output.WriteAsync(stats, Render, ct);
            return 0;
        });
    }

    private static IRenderable Render(JobStats stats)
    {
        var window = Output.Details(("since", stats.Since), ("until", stats.Until), ("source", stats.Source));
        // Empty tables would look like a failure to reach the server; a sentence says what was asked and found.
        if (stats.Groups.Count == 0) return new Rows(window, new Text(Environment.NewLine + "no jobs in this window" + Environment.NewLine));

        var groups = Output.Table("ACTION", "SITE", "SKU", "JOBS", "OK", "FAILED", "CANCELLED", "ACTIVE", "SUCCESS",
            "RUN-P50", "RUN-P95", "RUN-MAX", "LAG-P50", "LAG-P95", "LAG-MAX");
        foreach (var g in stats.Groups)
            Output.Row(groups, [g.Action, g.Site, g.Sku, g.Jobs, g.Succeeded, g.Failed, g.Cancelled, g.Active, StatsCells.Rate(g.SuccessRate, g.Succeeded + g.Failed),
                .. StatsCells.Seconds(g.Runtime), .. StatsCells.Seconds(g.QueueLag)]);
        if (stats.Steps.Count == 0) return new Rows(window, new Text(""), groups);
        var steps = Output.Table("ACTION", "STEP", "RUNS", "P50", "P95", "MAX");
        foreach (var p in stats.Steps) Output.Row(steps, [p.Action, p.Step, p.Runs, .. StatsCells.Seconds(p.Duration)]);
        return new Rows(window, new Text(""), groups, new Text(""), steps);
    }
}
