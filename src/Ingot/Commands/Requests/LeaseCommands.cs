using System.CommandLine;
using Ingot.Client;
using Ingot.Commands.Jobs;

namespace Ingot.Commands.Requests;

/// <summary>`ingot lease extend REQUEST --for 7d | --until TIME | --never`: when a provisioning request's machines are
/// given back (docs/requests.md).</summary>
internal static class LeaseCommands
{
    public static Command Create(CliContext context) => new("lease", "Leases of provisioning requests: when their machines are given back. extend.")
    {
        Extend(context),
    };

    private static Command Extend(CliContext context)
    {
        var id = new Argument<long>("request") { Description = "The provisioning request." };
        var until = new Option<string?>("--until") { Description = "The new end: a time (2027-01-31T12:00Z) or a span from now (12h, 7d)." };
        var span = new Option<string?>("--for") { Description = "The new end as a span from now: 12h, 7d, 30d." };
        var never = new Option<bool>("--never") { Description = "The machines no longer expire." };
        return new Command("extend", "Move a request's lease end; its reminder comes again before the new end.") { id, until, span, never }
            .Set(context, async (s, parse, ct) =>
            {
                var given = new[] { parse.GetValue(until) is not null, parse.GetValue(span) is not null, parse.GetValue(never) }.Count(g => g);
                if (given != 1) throw new UsageException("Give one of --until, --for or --never.");
                var now = DateTimeOffset.UtcNow;
                var end = parse.GetValue(never) ? null : ListCommand.Until(parse.GetValue(until) ?? parse.GetValue(span), now, parse.GetValue(until) is not null ? "--until" : "--for");
                var request = await s.Client.ExtendLeaseAsync(parse.GetValue(id), end, ct);
                await s.Output.WriteAsync(request, RequestTable.Details, ct);
                return 0;
            });
    }
}
