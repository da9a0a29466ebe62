using System.CommandLine;
using Ingot.Client;

namespace Ingot.Commands.Batches;

/// <summary>`ingot batch list`: batches newest first, a page at a time (as `ingot jobs list`).</summary>
internal static class ListCommand
{
    public static Command Create(CliContext context)
    {
        // Status and action are not restricted here: the server's lists are the authority, and its 422 names them.
        var user = new Option<string?>("--user") { Description = "Submitted by this user." };
        var status = new Option<string?>("--status") { Description = $"In this status: {BatchCommand.Names<BatchStatus>()}." };
        var action = new Option<string?>("--action") { Description = $"Of this action: {string.Join(", ", BatchCommand.Actions)}." };
        var since = new Option<string?>("--since")
        {
            Description = "Created at or after this time: ISO 8601 (2025-01-31T12:00Z) or an age such as 90s, 30m, 2h, 7d.",
            HelpName = "time",
        };
        var limit = new Option<int?>("--limit") { Description = "At most this many per page (the server caps it)." };
        var after = new Option<string?>("--after") { Description = "Continue from the cursor a previous page printed." };

        return new Command("list", "List batches matching every filter given, newest first, a page at a time.")
        {
            user, status, action, since, limit, after,
        }.Set(context, async (s, parse, ct) =>
        {
            var query = new BatchQuery(parse.GetValue(user), parse.GetValue(status), parse.GetValue(action),
                Jobs.ListCommand.Since(parse.GetValue(since), DateTimeOffset.UtcNow), parse.GetValue(limit), parse.GetValue(after));
            var page = await s.Client.ListBatchesAsync(query, ct);
            await s.Output.WriteAsync(page, p => BatchTable.Rows(p.Items), ct);
            if (!s.Output.IsJson && page.Next is { } next) await s.Output.NoteAsync($"next page: --after {next}", ct);
            return 0;
        });
    }
}
