using System.CommandLine;
using Ingot.Client;
using Spectre.Console.Rendering;

namespace Ingot.Commands.Audit;

/// <summary>`ingot audit`: who changed what, newest first, a page at a time.</summary>
internal static class AuditCommand
{
    public static Command Create(CliContext context)
    {
        var actor = new Option<string?>("--actor") { Description = "Only the actions of this user." };
        var limit = new Option<int?>("--limit") { Description = "At most this many entries (the server caps it)." };
        var after = new Option<string?>("--after") { Description = "Continue from the cursor a previous page printed." };
        return new Command("audit", "Show the audit log: every change made through the API, with who and the outcome.") { actor, limit, after }
            .Set(context, async (s, parse, ct) =>
            {
                var page = await s.Client.ListAuditAsync(parse.GetValue(actor), parse.GetValue(limit), parse.GetValue(after), ct);
                await s.Output.WriteAsync(page, p => Table(p.Items), ct);
                if (!s.Output.IsJson && page.Next is { } next)
                    await s.Output.NoteAsync($"next page: --after {next}", ct);
                return 0;
            });
    }

    private static IRenderable Table(IReadOnlyList<AuditEntry> entries)
    {
        var table = Output.Table("AT", "ACTOR", "ACTION", "TARGET", "STATUS", "OUTCOME", "TOKEN", "REASON");
        foreach (var e in entries) Output.Row(table, e.At, e.Actor, e.Action, e.Target, e.Status, e.Outcome, e.Token, e.Reason);
        return table;
    }
}
