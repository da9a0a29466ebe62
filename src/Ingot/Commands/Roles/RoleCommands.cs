using System.CommandLine;
using Ingot.Client;
using Spectre.Console.Rendering;

namespace Ingot.Commands.Roles;

/// <summary>`ingot roles list|create|update|delete`: what machines are for, each owned by a team.</summary>
internal static class RoleCommands
{
    public static Command Create(CliContext context) => new("roles", "Roles (what machines are for, owned by a team): list, create, update, delete.")
    {
        List(context), New(context), Update(context), Delete(context),
    };

    private static Command List(CliContext context) =>
        new Command("list", "List the roles.").Set(context, async (s, _, ct) =>
        {
            await s.Output.WriteAsync(await s.Client.ListRolesAsync(ct), Table, ct);
            return 0;
        });

    private static Command New(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Role name, e.g. fancydb." };
        var team = new Option<string?>("--team") { Description = "The team that owns the role and may manage its machines.", Required = true };
        var description = new Option<string?>("--description") { Description = "What the role's machines do." };
        var hook = new InUseHookOptions("role");
        var lease = LeaseHours("Requests for the role's machines that name no end expire this many hours after they are made.");
        var command = new Command("create", "Create a role owned by a team.") { name, team, description, lease };
        hook.AddTo(command);
        return command.Set(context, async (s, parse, ct) =>
        {
            var (url, failOpen) = hook.From(parse);
            var role = await s.Client.CreateRoleAsync(new RoleCreate(parse.GetValue(name), parse.GetValue(team), parse.GetValue(description), url, failOpen,
                parse.GetValue(lease)), ct);
            await s.Output.WriteAsync(role, one => Table([one]), ct);
            return 0;
        });
    }

    /// <summary>Changes what is given and keeps the rest (PATCH): the owning team, the description, the in-use hook.</summary>
    private static Command Update(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The role to change." };
        var team = new Option<string?>("--team") { Description = "The team that takes the role (and its machines) over." };
        var description = new Option<string?>("--description") { Description = "What the role's machines do; \"\" clears it." };
        var hook = new InUseHookOptions("role");
        var lease = LeaseHours("The default lease of requests for the role's machines, in hours; 0 removes it.");
        var command = new Command("update", "Change a role's team, description, default lease or in-use hook; what is not given stays.") { name, team, description, lease };
        hook.AddUpdatesTo(command);
        return command.Set(context, async (s, parse, ct) =>
        {
            var (url, failOpen) = hook.Updates(parse);
            var role = await s.Client.UpdateRoleAsync(parse.GetValue(name)!, new RoleCreate(null, parse.GetValue(team), parse.GetValue(description), url, failOpen,
                parse.GetValue(lease)), ct);
            await s.Output.WriteAsync(role, one => Table([one]), ct);
            return 0;
        });
    }

    private static Option<int?> LeaseHours(string description) => new("--lease-hours") { Description = description };

    private static Command Delete(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The role to delete; no machine may have it." };
        return new Command("delete", "Delete an unused role.") { name }.Set(context, async (s, parse, ct) =>
        {
            await s.Client.DeleteRoleAsync(parse.GetValue(name)!, ct);
            if (!s.Output.IsJson) await s.Output.LineAsync($"Deleted role {parse.GetValue(name)}.", ct);
            return 0;
        });
    }

    private static IRenderable Table(IReadOnlyList<RoleView> roles)
    {
        var table = Output.Table("ID", "NAME", "TEAM", "DESCRIPTION", "CREATED", "LEASE", "HOOK");
        foreach (var role in roles)
            Output.Row(table, role.Id, role.Name, role.Team, role.Description, role.CreatedAt, role.LeaseHours is { } h ? $"{h}h" : null,
                InUseHookOptions.Show(role.InUseHook, role.InUseHookFailOpen));
        return table;
    }
}
