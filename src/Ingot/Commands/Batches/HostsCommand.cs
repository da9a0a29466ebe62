using System.CommandLine;
using Ingot.Client;

namespace Ingot.Commands.Batches;

/// <summary>`ingot batch hosts ID`: each host of a batch with its job, a page at a time; filtered to find the
/// failed ones in a batch of thousands.</summary>
internal static class HostsCommand
{
    public static Command Create(CliContext context)
    {
        var id = BatchCommand.IdArgument("The batch's id.");
        var hostname = new Option<string?>("--hostname") { Description = "Only this host (hostname or hardware_name).", HelpName = "host" };
        var status = new Option<string?>("--status") { Description = $"Only hosts whose job is in this status: {BatchCommand.Names<JobStatus>()}." };
        var limit = new Option<int?>("--limit") { Description = "At most this many per page (the server caps it)." };
        var after = new Option<string?>("--after") { Description = "Continue from the cursor a previous page printed." };

        return new Command("hosts", "List a batch's hosts with each one's job, status, current step and error ('ingot jobs show JOB' for its steps).")
        {
            id, hostname, status, limit, after,
        }.Set(context, async (s, parse, ct) =>
        {
            var page = await s.Client.GetBatchHostsAsync(parse.GetValue(id), parse.GetValue(hostname), parse.GetValue(status),
                parse.GetValue(limit), parse.GetValue(after), ct);
            await s.Output.WriteAsync(page, p => BatchTable.Hosts(p.Items), ct);
            if (!s.Output.IsJson && page.Next is { } next) await s.Output.NoteAsync($"next page: --after {next}", ct);
            return 0;
        });
    }
}
