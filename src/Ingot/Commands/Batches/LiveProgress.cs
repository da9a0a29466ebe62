using Ingot.Client;
using Spectre.Console;

namespace Ingot.Commands.Batches;

/// <summary>Batch progress redrawn in place on a terminal: a bar per status, each the share of the batch's hosts
/// in that status, so one sees at a glance how much is done and how much went wrong.</summary>
internal static class LiveProgress
{
    public static async Task<BatchView> RunAsync(Session s, BatchView batch, CancellationToken ct)
    {
        var final = batch;
        await s.Output.LiveConsole().Progress()
            .AutoClear(false).HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn())
            .StartAsync(async progress =>
            {
                // Spectre refuses a maximum of 0; an empty batch shows empty bars.
                var total = Math.Max(1, batch.Hosts);
                var bars = BatchTable.PerStatus(batch).ToDictionary(c => c.Status, c => progress.AddTask(Label(c.Status, c.Count, batch.Hosts), maxValue: total));
                final = await BatchPolling.UntilEndedAsync(s.Client, batch, round =>
                {
                    foreach (var (status, count) in BatchTable.PerStatus(round))
                    {
                        bars[status].Value = count;
                        bars[status].Description = Label(status, count, round.Hosts);
                    }
                    progress.Refresh();
                    return Task.CompletedTask;
                }, ct);
                // A bar is "finished" only at its maximum; stop them all so the display ends as the batch did.
                foreach (var bar in bars.Values) bar.StopTask();
                progress.Refresh();
            });
        return final;
    }

    // Descriptions are markup: the status word is coloured, the numbers are digits, so nothing needs escaping.
    private static string Label(JobStatus status, long count, int hosts) =>
        $"[{Colour(status)}]{Output.Cell(status),-9}[/] {count,6}/{hosts}";

    private static string Colour(JobStatus status) => status switch
    {
        JobStatus.Succeeded => "green",
        JobStatus.Failed => "red",
        JobStatus.Cancelled => "yellow",
        JobStatus.Running => "blue",
        _ => "default",
    };
}
