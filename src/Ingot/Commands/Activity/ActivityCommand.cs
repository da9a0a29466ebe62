using System.CommandLine;
using Ingot.Client;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Ingot.Commands.Activity;

/// <summary>`ingot activity`: what the fleet is doing now — jobs queued and running per site and action, batch or not —
/// to see at a glance whether a site is busy before submitting more work to it.</summary>
internal static class ActivityCommand
{
    public static Command Create(CliContext context) =>
        new Command("activity", "Show the jobs queued and running now, per site and action.")
            .Set(context, async (s, parse, ct) =>
            {
                await s.Output.WriteAsync(await s.Client.GetActivityAsync(ct), Render, ct);
                return 0;
            });

    private static IRenderable Render(IReadOnlyList<ActivityRow> rows)
    {
        // An empty table is easy to mistake for a failed request; say that nothing is going on.
        if (rows.Count == 0) return new Text("no jobs queued or running" + Environment.NewLine);
        var table = Output.Table("SITE", "ACTION", "QUEUED", "RUNNING");
        // A machine in no site still runs jobs; its load shows under "-" (as in `ingot jobs broker`).
        foreach (var r in rows) Output.Row(table, r.Site, r.Action, r.Queued, r.Running);
        return table;
    }
}
