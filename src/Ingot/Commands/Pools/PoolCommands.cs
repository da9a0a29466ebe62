using System.CommandLine;
using Ingot.Client;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Ingot.Commands.Pools;

/// <summary>`ingot pool create|list|show|resize|delete`: standing counts of machines kept true by the server
/// (docs/requests.md): a member that breaks is replaced, a resize adds or drains members.</summary>
internal static class PoolCommands
{
    public static Command Create(CliContext context) => new("pool",
        "Pools: a standing count of machines of a SKU in a site for a role, kept true by the server. create, list, show, resize, delete.")
    {
        New(context), List(context), Show(context), Resize(context), Delete(context),
    };

    private static Argument<long> Id(string description) => new("id") { Description = description };

    private static Command New(CliContext context)
    {
        var role = new Option<string?>("--role") { Description = "The role the machines are for; your team must own it (or you operate the site)." };
        var site = new Option<string?>("--site") { Description = "The site to keep them in." };
        var sku = new Option<string?>("--sku") { Description = "The hardware configuration (ingot skus list)." };
        var desired = new Option<int?>("--desired") { Description = "How many machines the pool keeps in use." };
        var image = new Option<string?>("--image") { Description = "The install image (ingot images list)." };
        var template = new Option<string?>("--hostname-template") { Description = "Names: {role}, {site}, {domain}, {random}, {n}; default {role}-{random}.{site}.{domain}." };
        var stack = new Option<bool>("--no-spread") { Description = "Let members stack in a rack; by default no rack holds more than its share." };
        return new Command("create", "Create a pool; prints it after its first allocation.") { role, site, sku, desired, image, template, stack }
            .Set(context, async (s, parse, ct) =>
            {
                var pool = await s.Client.CreatePoolAsync(new PoolCreate(parse.GetValue(role), parse.GetValue(site), parse.GetValue(sku), parse.GetValue(desired),
                    parse.GetValue(image), parse.GetValue(template), parse.GetValue(stack) ? false : null), ct);
                await s.Output.WriteAsync(pool, Details, ct);
                return 0;
            });
    }

    private static Command List(CliContext context)
    {
        var role = new Option<string?>("--role") { Description = "Only pools of this role." };
        return new Command("list", "List pools, newest first.") { role }.Set(context, async (s, parse, ct) =>
        {
            var page = await s.Client.ListPoolsAsync(new RequestQuery(Role: parse.GetValue(role), Limit: 1000), ct);
            await s.Output.WriteAsync(page, p => Rows(p.Items), ct);
            return 0;
        });
    }

    private static Command Show(CliContext context)
    {
        var id = Id("The pool.");
        return new Command("show", "Show a pool and a line per machine it took.") { id }.Set(context, async (s, parse, ct) =>
        {
            await s.Output.WriteAsync(await s.Client.GetPoolAsync(parse.GetValue(id), ct), Details, ct);
            return 0;
        });
    }

    private static Command Resize(CliContext context)
    {
        var id = Id("The pool.");
        var desired = new Option<int>("--desired") { Description = "The new size; smaller drains the newest members (recycled).", Required = true };
        return new Command("resize", "Change how many machines the pool keeps.") { id, desired }.Set(context, async (s, parse, ct) =>
        {
            await s.Output.WriteAsync(await s.Client.ResizePoolAsync(parse.GetValue(id), parse.GetValue(desired), ct), Details, ct);
            return 0;
        });
    }

    private static Command Delete(CliContext context)
    {
        var id = Id("The pool.");
        return new Command("delete", "Delete a pool: its installs stop and every member is recycled.") { id }.Set(context, async (s, parse, ct) =>
        {
            await s.Output.WriteAsync(await s.Client.DeletePoolAsync(parse.GetValue(id), ct), Details, ct);
            return 0;
        });
    }

    private static Table Rows(IEnumerable<PoolView> pools)
    {
        var table = Output.Table("ID", "ROLE", "SITE", "SKU", "DESIRED", "HEALTHY", "INSTALLING", "SHORT", "STATUS", "REPLACED", "CREATED");
        foreach (var p in pools) Output.Row(table, p.Id, p.Role, p.Site, p.Sku, p.Desired, p.Healthy, p.Installing, p.ShortBy, p.Status, p.Replacements, p.CreatedAt);
        return table;
    }

    private static IRenderable Details(PoolView p)
    {
        return new Rows(
            Output.Details(("id", p.Id), ("role", $"{p.Role} (team {p.Team})"), ("site", p.Site), ("sku", p.Sku), ("desired", p.Desired), ("image", p.Image),
                ("hostnames", p.HostnameTemplate), ("status", p.Status), ("healthy", p.Healthy), ("installing", p.Installing), ("short by", p.ShortBy),
                ("why short", p.ShortReason), ("replacements", p.Replacements), ("user", p.User), ("deleted by", p.DeletedBy), ("updated", p.UpdatedAt)),
            new Text(""),
            Requests.RequestTable.Lines(p.Machines));
    }
}
