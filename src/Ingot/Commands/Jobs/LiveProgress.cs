using Ingot.Client;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Ingot.Commands.Jobs;

/// <summary>Job progress redrawn in place on a terminal: one row per job with its current step, updated each
/// poll, instead of a scroll of lines.</summary>
internal static class LiveProgress
{
    /// <param name="keep">Leave the last table on screen (watch); otherwise it is cleared, for a summary to replace it.</param>
    public static async Task<IReadOnlyList<JobView>> RunAsync(Session s, IReadOnlyList<JobView> jobs, bool keep, CancellationToken ct)
    {
        IReadOnlyList<JobView> final = jobs;
        await s.Output.LiveConsole().Live(Render(jobs)).AutoClear(!keep).StartAsync(async live =>
            final = await JobPolling.UntilEndedAsync(s.Client, jobs, round =>
            {
                live.UpdateTarget(Render(round));
                live.Refresh();
                return Task.CompletedTask;
            }, ct));
        return final;
    }

    private static IRenderable Render(IReadOnlyList<JobView> jobs)
    {
        var table = Output.Table("JOB", "HOST", "ACTION", "STATUS", "ATTEMPT", "STEP", "MESSAGE");
        foreach (var j in jobs)
        {
            var step = j.Steps.LastOrDefault(st => st.Status != StepStatus.Pending);
            table.AddRow(
                new Text(Output.Cell(j.Id)), new Text(Output.Cell(JobTable.Host(j.Target))), new Text(Output.Cell(j.Action)),
                new Text(Output.Cell(j.Status), new Style(Colour(j.Status))), new Text(JobTable.Attempt(j)),
                new Text(Output.Cell(JobTable.CurrentStep(j) ?? step?.Name)), new Text(Output.Cell(Message(j, step))));
        }
        return table;
    }

    // A job waiting for its next attempt says when that is and why the last one failed.
    private static string? Message(JobView j, JobStepView? step) =>
        j is { Status: JobStatus.Queued, Attempt: > 0 } ? $"next attempt after {Output.Time(j.RunAfter)}: {j.Error}" : j.Error ?? step?.Message;

    private static Color Colour(JobStatus status) => status switch
    {
        JobStatus.Succeeded => Color.Green,
        JobStatus.Failed => Color.Red,
        JobStatus.Cancelled => Color.Yellow,
        JobStatus.Running => Color.Blue,
        _ => Color.Default,
    };
}
