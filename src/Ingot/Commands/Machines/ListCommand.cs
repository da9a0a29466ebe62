using System.CommandLine;
using Ingot.Client;

namespace Ingot.Commands.Machines;

/// <summary>`ingot machines list`: search the inventory a page at a time, or every page with --all.</summary>
internal static class ListCommand
{
    public static Command Create(CliContext context)
    {
        var site = new Option<string?>("--site") { Description = "In this site." };
        var rack = new Option<string?>("--rack") { Description = "In this rack." };
        var sku = new Option<string?>("--sku") { Description = "Of this SKU." };
        var state = new Option<string?>("--state") { Description = "In this lifecycle state: " + string.Join(", ", Enum.GetValues<MachineState>().Select(s => Output.Cell(s))) + "." };
        var role = new Option<string?>("--role") { Description = "With this role." };
        var tag = new Option<string?>("--tag") { Description = "Carrying this tag." };
        var owner = new Option<string?>("--owner") { Description = "Owned by: me (my teams' roles), team:NAME, or pool (no role).", HelpName = "me|team:NAME|pool" };
        var mine = new Option<bool>("--mine") { Description = "The machines of my teams' roles (--owner me)." };
        var maintenance = new Option<bool?>("--maintenance") { Description = "In maintenance (true) or not (false).", HelpName = "true|false" };
        var bmcHealth = new Option<string?>("--bmc-health") { Description = "Whose BMC is ok, degraded or unreachable (jobs and the BMC watch say).", HelpName = "ok|degraded|unreachable" };
        var hostnamePrefix = new Option<string?>("--hostname-prefix") { Description = "Whose hostname starts with this." };
        var q = new Option<string?>("--q") { Description = "Free-text search (the server decides which fields it matches)." };
        var limit = new Option<int?>("--limit") { Description = "At most this many per page (the server caps it)." };
        var after = new Option<string?>("--after") { Description = "Continue from the cursor a previous page printed." };
        var count = new Option<bool>("--count") { Description = "Also count every match (slower on large fleets)." };
        var all = new Option<bool>("--all") { Description = "Follow the pages to the end and print every match." };

        var command = new Command("list", "List machines matching every filter given, a page at a time.")
        {
            site, rack, sku, state, role, owner, mine, tag, maintenance, bmcHealth, hostnamePrefix, q, limit, after, count, all,
        };
        return command.Set(context, async (s, parse, ct) =>
        {
            if (parse.GetValue(mine) && parse.GetValue(owner) is not null) throw new UsageException("Give --mine or --owner, not both.");
            var query = new MachineQuery(
                parse.GetValue(site), parse.GetValue(rack), parse.GetValue(sku), parse.GetValue(state), parse.GetValue(role),
                parse.GetValue(tag), parse.GetValue(maintenance), parse.GetValue(hostnamePrefix), parse.GetValue(q),
                parse.GetValue(limit), parse.GetValue(after), parse.GetValue(count),
                parse.GetValue(mine) ? "me" : parse.GetValue(owner), parse.GetValue(bmcHealth));
            var page = parse.GetValue(all) ? await AllAsync(s.Client, query, ct) : await s.Client.SearchMachinesAsync(query, ct);

            await s.Output.WriteAsync(page, p => MachineTable.Rows(p.Items), ct);
            if (!s.Output.IsJson)
            {
                if (page.Total is { } total) await s.Output.NoteAsync($"total: {total}", ct);
                if (page.Next is { } next) await s.Output.NoteAsync($"next page: --after {next}", ct);
            }
            return 0;
        });
    }

    /// <summary>Every page, as one page with no next cursor. The count, if asked for, comes with the first.</summary>
    private static async Task<Page<MachineView>> AllAsync(IngotClient client, MachineQuery query, CancellationToken ct)
    {
        var page = await client.SearchMachinesAsync(query, ct);
        var items = new List<MachineView>(page.Items);
        var total = page.Total;
        while (page.Next is { } next)
        {
            page = await client.SearchMachinesAsync(query with { After = next, Count = false }, ct);
            items.AddRange(page.Items);
        }
        return new Page<MachineView>(items, null, total);
    }
}
