using System.CommandLine;

namespace Ingot.Commands.Batches;

/// <summary>`ingot batch show ID`: one batch, every field, and how many of its hosts are in each status.</summary>
internal static class ShowCommand
{
    public static Command Create(CliContext context)
    {
        var id = BatchCommand.IdArgument("The batch's id (printed when it was submitted, and by 'ingot batch list').");
        return new Command("show", "Show one batch: action, params, user, status, times, and the hosts per status.") { id }
            .Set(context, async (s, parse, ct) =>
            {
                await s.Output.WriteAsync(await s.Client.GetBatchAsync(parse.GetValue(id), ct), BatchTable.Details, ct);
                return 0;
            });
    }
}
