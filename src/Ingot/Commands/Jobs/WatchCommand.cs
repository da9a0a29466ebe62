using System.CommandLine;
using Ingot.Client;
using Spectre.Console;

namespace Ingot.Commands.Jobs;

/// <summary>`ingot jobs watch ID…`: follow jobs step by step until every one has ended, then sum up.</summary>
internal static class WatchCommand
{
    public static Command Create(CliContext context)
    {
        var ids = JobsCommand.JobIdsArgument("The jobs to follow.");
        return new Command("watch", "Follow jobs until all have ended: a live table on a terminal, else a line per step or status change; " +
                                    "then a summary. Exits 1 if any failed or was cancelled.") { ids }
            .Set(context, async (s, parse, ct) =>
            {
                var jobs = new List<JobView>();
                foreach (var id in parse.GetValue(ids)!.Distinct()) jobs.Add(await s.Client.GetJobAsync(id, ct));
                var final = await FollowAsync(s, jobs, s.Output.IsJson ? null : s.Output.LineAsync, keep: true, ct);
                if (s.Output.IsJson) await s.Output.JsonAsync(final, ct);
                else
                {
                    await s.Output.LineAsync(JobOutcome.Counts(final), ct);
                    await s.Output.RenderAsync(Summary(final), ct);
                }
                return await JobOutcome.ReportAsync(s.Output, final, ct);
            });
    }

    /// <summary>Waits for <paramref name="jobs"/> to end, showing progress as the output allows: a live table on a
    /// terminal (left on screen if <paramref name="keep"/>); elsewhere plain lines through <paramref name="lines"/>, if given.</summary>
    public static Task<IReadOnlyList<JobView>> FollowAsync(Session s, IReadOnlyList<JobView> jobs, Func<string, CancellationToken, Task>? lines,
                                                           bool keep, CancellationToken ct)
    {
        if (s.Output.IsTerminal) return LiveProgress.RunAsync(s, jobs, keep, ct);
        if (lines is null) return JobPolling.UntilEndedAsync(s.Client, jobs, _ => Task.CompletedTask, ct);
        var progress = new ProgressLines(lines);
        return JobPolling.UntilEndedAsync(s.Client, jobs, round => progress.ReportAsync(round, ct), ct);
    }

    private static Table Summary(IEnumerable<JobView> jobs)
    {
        var table = Output.Table("JOB", "HOST", "ACTION", "STATUS", "ATTEMPT", "DURATION");
        foreach (var j in jobs)
            Output.Row(table, j.Id, JobTable.Host(j.Target), j.Action, j.Status, JobTable.Attempt(j), JobTable.Duration(j.StartedAt, j.EndedAt));
        return table;
    }
}
