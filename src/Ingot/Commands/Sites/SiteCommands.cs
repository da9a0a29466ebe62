using System.CommandLine;
using Ingot.Client;
using Spectre.Console.Rendering;

namespace Ingot.Commands.Sites;

/// <summary>`ingot sites list|create|update|delete`: the datacenters machines sit in.</summary>
internal static class SiteCommands
{
    public static Command Create(CliContext context) => new("sites", "Datacenters (sites): list, create, update, delete.")
    {
        List(context), New(context), Update(context), Delete(context),
    };

    private static Command List(CliContext context) =>
        new Command("list", "List the sites.").Set(context, async (s, _, ct) =>
        {
            await s.Output.WriteAsync(await s.Client.ListSitesAsync(ct), Table, ct);
            return 0;
        });

    private static Command New(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Site name, e.g. lon1." };
        var description = new Option<string?>("--description") { Description = "What and where the site is." };
        var hook = new InUseHookOptions("site");
        var command = new Command("create", "Create a site.") { name, description };
        hook.AddTo(command);
        return command.Set(context, async (s, parse, ct) =>
        {
            var (url, failOpen) = hook.From(parse);
            var site = await s.Client.CreateSiteAsync(new SiteCreate(parse.GetValue(name), parse.GetValue(description), url, failOpen), ct);
            await s.Output.WriteAsync(site, one => Table([one]), ct);
            return 0;
        });
    }

    /// <summary>Changes what is given and keeps the rest (PATCH): the description, the in-use hook.</summary>
    private static Command Update(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The site to change." };
        var description = new Option<string?>("--description") { Description = "What and where the site is; \"\" clears it." };
        var hook = new InUseHookOptions("site");
        var command = new Command("update", "Change a site's description or in-use hook; what is not given stays.") { name, description };
        hook.AddUpdatesTo(command);
        return command.Set(context, async (s, parse, ct) =>
        {
            var (url, failOpen) = hook.Updates(parse);
            var site = await s.Client.UpdateSiteAsync(parse.GetValue(name)!, new SiteCreate(null, parse.GetValue(description), url, failOpen), ct);
            await s.Output.WriteAsync(site, one => Table([one]), ct);
            return 0;
        });
    }

    private static Command Delete(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The site to delete; it must have no racks or machines." };
        return new Command("delete", "Delete an empty site.") { name }.Set(context, async (s, parse, ct) =>
        {
            await s.Client.DeleteSiteAsync(parse.GetValue(name)!, ct);
            if (!s.Output.IsJson) await s.Output.LineAsync($"Deleted site {parse.GetValue(name)}.", ct);
            return 0;
        });
    }

    private static IRenderable Table(IReadOnlyList<SiteView> sites)
    {
        var table = Output.Table("ID", "NAME", "DESCRIPTION", "CREATED", "HOOK");
        foreach (var site in sites) Output.Row(table, site.Id, site.Name, site.Description, site.CreatedAt, InUseHookOptions.Show(site.InUseHook, site.InUseHookFailOpen));
        return table;
    }
}
