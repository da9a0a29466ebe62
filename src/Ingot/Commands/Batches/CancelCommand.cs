using System.CommandLine;
using Ingot.Client;

namespace Ingot.Commands.Batches;

/// <summary>`ingot batch cancel ID`: stop a batch: its queued jobs at once, its running ones at their next step boundary.</summary>
internal static class CancelCommand
{
    public static Command Create(CliContext context)
    {
        var id = BatchCommand.IdArgument("The batch to cancel.");
        return new Command("cancel", "Cancel a batch: its queued jobs at once, its running ones at their next step boundary; " +
                                     "hosts already done keep their outcome.") { id }
            .Set(context, async (s, parse, ct) =>
            {
                var batch = await s.Client.CancelBatchAsync(parse.GetValue(id), ct);
                if (s.Output.IsJson) await s.Output.JsonAsync(batch, ct);
                else await s.Output.LineAsync(Sentence(batch), ct);
                return 0;
            });
    }

    private static string Sentence(BatchView b) => b.Counts.Running == 0
        ? $"batch {b.Id}: {Output.Cell(b.Status)} ({BatchTable.CountsLine(b)})."
        : $"batch {b.Id}: cancel requested; {b.Counts.Running} running job(s) stop at their next step boundary " +
          $"('ingot batch watch {b.Id}' to see it end).";
}
