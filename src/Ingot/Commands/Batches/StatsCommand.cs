using System.CommandLine;
using Ingot.Client;
using Ingot.Commands.Jobs;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Ingot.Commands.Batches;

/// <summary>`ingot batch stats`: how each action's batches went over a window — success rate, runtimes and queue
/// lag per action, then per SKU and per step, so a slow model or a slow step stands out.</summary>
internal static class StatsCommand
{
    public static Command Create(CliContext context)
    {
        var since = new Option<string?>("--since")
        {
            Description = "Batches created at or after this time: ISO 8601 (2025-01-31T12:00Z) or an age such as 90s, 30m, 2h, 7d. " +
                          "The server's default is the last 24 hours.",
            HelpName = "time",
        };

        return new Command("stats", "Show per action the batch jobs' count, success rate, runtime p50/p95/max and queue lag, then per SKU and per step.")
        {
            since,
        }.Set(context, async (s, parse, ct) =>
        {
            var stats = await s.Client.GetBatchStatsAsync(Jobs.ListCommand.Since(parse.GetValue(since), DateTimeOffset.UtcNow), ct);
            await s.Output.WriteAsync(stats, Render, ct);
            return 0;
        });
    }

    private static IRenderable Render(BatchStats stats)
    {
        // Three empty tables would look like a failure to reach the server; a sentence says what was asked and found.
        if (stats.Actions.Count == 0) return new Text($"no batches since {Output.Time(stats.Since)}" + Environment.NewLine);

        var actions = Output.Table("ACTION", "JOBS", "ENDED", "SUCCESS", "RUN-P50", "RUN-P95", "RUN-MAX", "LAG-P50", "LAG-P95", "LAG-MAX");
        var skus = Output.Table("ACTION", "SKU", "JOBS", "SUCCESS");
        var steps = Output.Table("ACTION", "STEP", "COUNT", "P50", "P95", "MAX");
        foreach (var a in stats.Actions)
        {
            Output.Row(actions, [a.Action, a.Jobs, a.Ended, StatsCells.Rate(a.SuccessRate, a.Ended), .. StatsCells.Seconds(a.RuntimeSeconds), .. StatsCells.Seconds(a.QueueLagSeconds)]);
            // The server counts a SKU's jobs but not how many ended; the action's ended count says whether a rate exists yet.
            foreach (var k in a.Skus) Output.Row(skus, a.Action, k.Sku, k.Jobs, StatsCells.Rate(k.SuccessRate, a.Ended));
            foreach (var p in a.Steps) Output.Row(steps, [a.Action, p.Step, p.Count, .. StatsCells.Seconds(p.Seconds)]);
        }
        return new Rows(Output.Details(("since", stats.Since)), new Text(""), actions, new Text(""), skus, new Text(""), steps);
    }
}
