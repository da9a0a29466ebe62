using System.CommandLine;
using Ingot.Client;
using Spectre.Console.Rendering;

namespace Ingot.Commands.Racks;

/// <summary>`ingot racks list|create|delete`: racks within a site.</summary>
internal static class RackCommands
{
    public static Command Create(CliContext context) => new("racks", "Racks within a site: list, create, delete.")
    {
        List(context), New(context), Delete(context),
    };

    private static Command List(CliContext context)
    {
        var site = new Option<string?>("--site") { Description = "Only the racks of this site." };
        return new Command("list", "List the racks.") { site }.Set(context, async (s, parse, ct) =>
        {
            await s.Output.WriteAsync(await s.Client.ListRacksAsync(parse.GetValue(site), ct), Table, ct);
            return 0;
        });
    }

    private static Command New(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Rack name, unique within its site, e.g. r01." };
        var site = new Option<string?>("--site") { Description = "The site the rack is in.", Required = true };
        return new Command("create", "Create a rack in a site.") { name, site }.Set(context, async (s, parse, ct) =>
        {
            var rack = await s.Client.CreateRackAsync(new RackCreate(parse.GetValue(site), parse.GetValue(name)), ct);
            await s.Output.WriteAsync(rack, one => Table([one]), ct);
            return 0;
        });
    }

    private static Command Delete(CliContext context)
    {
        var id = new Argument<long>("id") { Description = "The rack's id (see 'ingot racks list'); it must hold no machines." };
        return new Command("delete", "Delete an empty rack.") { id }.Set(context, async (s, parse, ct) =>
        {
            await s.Client.DeleteRackAsync(parse.GetValue(id), ct);
            if (!s.Output.IsJson) await s.Output.LineAsync($"Deleted rack {parse.GetValue(id)}.", ct);
            return 0;
        });
    }

    private static IRenderable Table(IReadOnlyList<RackView> racks)
    {
        var table = Output.Table("ID", "SITE", "NAME", "CREATED");
        foreach (var rack in racks) Output.Row(table, rack.Id, rack.Site, rack.Name, rack.CreatedAt);
        return table;
    }
}
