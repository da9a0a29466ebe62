using System.CommandLine;
using Ingot.Client;
using Spectre.Console.Rendering;

namespace Ingot.Commands.Users;

/// <summary>`ingot users list|create|update`: the people and automations that hold tokens.</summary>
internal static class UserCommands
{
    public static Command Create(CliContext context) => new("users", "Users: list, create, update.")
    {
        List(context), New(context), Update(context), Switch(context, enable: false), Switch(context, enable: true),
    };

    private static Option<string?> Email() => new("--email")
    {
        Description = "Their e-mail address: their own batches (accepted, completed) and requests (fulfilled, failed) are mailed there.",
        HelpName = "address",
    };

    private static Command List(CliContext context) =>
        new Command("list", "List the users.").Set(context, async (s, _, ct) =>
        {
            await s.Output.WriteAsync(await s.Client.ListUsersAsync(ct), Table, ct);
            return 0;
        });

    private static Command New(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "User name." };
        var admin = new Option<bool>("--admin") { Description = "An admin: may do everything, users and tokens included." };
        var teams = new Option<string[]>("--team") { Description = "A team the user belongs to (repeatable): they act on its roles' machines." };
        var grant = new Option<string?>("--grant")
        {
            Description = "operator: every machine and the inventory; viewer: reads everything, acts on nothing (docs/authorization.md).",
            HelpName = "operator|viewer",
        };
        var serviceOf = new Option<string?>("--service-of")
        {
            Description = "A service account of this team: a robot whose tokens act with the team's rights (the team's members may create it).",
            HelpName = "team",
        };
        var sites = new Option<string[]>("--site") { Description = "With --grant operator: the sites they operate (repeatable); without it, every site." };
        var email = Email();
        return new Command("create", "Create a user; then 'ingot tokens create --user NAME' gives them a token.") { name, admin, teams, grant, serviceOf, sites, email }
            .Set(context, async (s, parse, ct) =>
            {
                var user = await s.Client.CreateUserAsync(new UserCreate(
                    parse.GetValue(name), parse.GetValue(admin) ? true : null, parse.GetValue(teams) is { Length: > 0 } t ? t : null, parse.GetValue(grant),
                    parse.GetValue(serviceOf), parse.GetValue(sites) is { Length: > 0 } limited ? limited : null, parse.GetValue(email)), ct);
                await s.Output.WriteAsync(user, one => Table([one]), ct);
                return 0;
            });
    }

    private static Command Update(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The user: yourself, or anyone for an admin." };
        var email = Email();
        email.Description += " \"\" removes it.";
        return new Command("update", "Change a user's settings.") { name, email }.Set(context, async (s, parse, ct) =>
        {
            if (parse.GetValue(email) is not { } address) throw new UsageException("Give what to change: --email ADDRESS (or --email '' to remove it).");
            var user = await s.Client.UpdateUserAsync(parse.GetValue(name)!, new UserUpdate(address), ct);
            await s.Output.WriteAsync(user, one => Table([one]), ct);
            return 0;
        });
    }

    /// <summary>`ingot users disable|enable NAME` (an admin's): disabling revokes every token of the user at once.</summary>
    private static Command Switch(CliContext context, bool enable)
    {
        var name = new Argument<string>("name") { Description = "The user." };
        return new Command(enable ? "enable" : "disable",
                enable ? "Let a disabled user in again (they need a new token or sign-in)." : "Disable a user: their tokens are revoked at once, and no sign-in works until enabled.")
            { name }.Set(context, async (s, parse, ct) =>
            {
                var user = enable ? await s.Client.EnableUserAsync(parse.GetValue(name)!, ct) : await s.Client.DisableUserAsync(parse.GetValue(name)!, ct);
                await s.Output.WriteAsync(user, one => Table([one]), ct);
                return 0;
            });
    }

    private static IRenderable Table(IReadOnlyList<UserView> users)
    {
        // New columns go last: scripts that read the ones before by position keep working.
        var table = Output.Table("ID", "NAME", "ADMIN", "GRANT", "TEAMS", "SERVICE OF", "EMAIL", "CREATED", "ORIGIN", "DISABLED");
        foreach (var user in users)
            Output.Row(table, user.Id, user.Name, user.Admin, user.Grant, user.Teams, user.ServiceOf, user.Email, user.CreatedAt, user.Origin,
                user.DisabledAt is { } at ? $"{at:u} by {user.DisabledBy}" : "");
        return table;
    }
}
