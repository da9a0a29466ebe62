using System.CommandLine;
using Ingot.Client;
using Ingot.Commands.Jobs;

namespace Ingot.Commands.Batches;

/// <summary>`ingot batch watch ID`: follow a batch until it has ended, then sum up and name the hosts that did not succeed.</summary>
internal static class WatchCommand
{
    // Enough to act on from the terminal; the rest are a `batch hosts --status` away.
    private const int HostsNamed = 20;

    public static Command Create(CliContext context)
    {
        var id = BatchCommand.IdArgument("The batch to follow.");
        return new Command("watch", "Follow a batch until it has ended: a progress bar per status on a terminal, else a line whenever " +
                                    "the counts change; then a summary, and each failed or cancelled host on stderr. " +
                                    "Exits 1 if any host failed or was cancelled.") { id }
            .Set(context, async (s, parse, ct) =>
            {
                var batch = await s.Client.GetBatchAsync(parse.GetValue(id), ct);
                // -o json: stdout is the final batch alone, so no progress is shown.
                if (s.Output.IsTerminal) batch = await LiveProgress.RunAsync(s, batch, ct);
                else if (s.Output.IsJson) batch = await BatchPolling.UntilEndedAsync(s.Client, batch, _ => Task.CompletedTask, ct);
                else
                {
                    var lines = new ProgressLines(s.Output);
                    batch = await BatchPolling.UntilEndedAsync(s.Client, batch, b => lines.ReportAsync(b, ct), ct);
                }

                if (s.Output.IsJson) await s.Output.JsonAsync(batch, ct);
                else await s.Output.LineAsync(Summary(batch), ct);
                await ReportAsync(s, batch, JobStatus.Failed, batch.Counts.Failed, ct);
                await ReportAsync(s, batch, JobStatus.Cancelled, batch.Counts.Cancelled, ct);
                var unsuccessful = batch.Counts.Failed + batch.Counts.Cancelled > 0 || batch.Status is BatchStatus.Failed or BatchStatus.Cancelled;
                return unsuccessful ? JobOutcome.Unsuccessful : 0;
            });
    }

    /// <summary>"batch 7 succeeded: 3/3 hosts done (100%): 3 succeeded, 0 failed, 0 cancelled, in 2.4s".</summary>
    private static string Summary(BatchView b) =>
        $"batch {b.Id} {Output.Cell(b.Status)}: {BatchTable.Done(b)}/{b.Hosts} hosts done ({BatchTable.Percent(b)}): " +
        $"{b.Counts.Succeeded} succeeded, {b.Counts.Failed} failed, {b.Counts.Cancelled} cancelled" +
        (JobTable.Duration(b.StartedAt, b.EndedAt) is { } took ? $", in {took}" : "");

    /// <summary>Each host that ended in <paramref name="status"/> and why, on stderr as `jobs watch` reports failed jobs.</summary>
    private static async Task ReportAsync(Session s, BatchView b, JobStatus status, long count, CancellationToken ct)
    {
        if (count == 0) return;
        var page = await s.Client.GetBatchHostsAsync(b.Id, status: Output.Cell(status), limit: HostsNamed, ct: ct);
        foreach (var h in page.Items)
        {
            var what = $"{BatchTable.Host(h)} (job {h.JobId})";
            await s.Output.NoteAsync(status == JobStatus.Failed
                ? $"error: {what} failed: {h.Error ?? "no error recorded"}"
                : $"error: {what} was cancelled{(b.CancelledBy is { } by ? " by " + by : "")}.", ct);
        }
        if (count > page.Items.Count)
            await s.Output.NoteAsync($"… and {count - page.Items.Count} more: ingot batch hosts {b.Id} --status {Output.Cell(status)}", ct);
    }
}
