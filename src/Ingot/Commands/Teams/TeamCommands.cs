using System.CommandLine;
using Ingot.Client;
using Spectre.Console.Rendering;

namespace Ingot.Commands.Teams;

/// <summary>`ingot teams list|create|delete`: the teams that own roles.</summary>
internal static class TeamCommands
{
    public static Command Create(CliContext context) => new("teams", "Teams, which own roles: list, create, delete, and their members.")
    {
        List(context), New(context), Delete(context), AddMember(context), RemoveMember(context),
    };

    private static (Argument<string> Team, Argument<string> User) MemberArguments() =>
        (new Argument<string>("team") { Description = "The team." }, new Argument<string>("user") { Description = "The user." });

    private static Command AddMember(CliContext context)
    {
        var (team, user) = MemberArguments();
        return new Command("add-member", "Add a user to a team: they act on the machines of its roles from their next request.") { team, user }
            .Set(context, async (s, parse, ct) =>
            {
                var member = await s.Client.AddTeamMemberAsync(parse.GetValue(team)!, parse.GetValue(user)!, ct);
                await s.Output.WriteAsync(member, m => Output.Details(("user", m.Name), ("teams", m.Teams)), ct);
                return 0;
            });
    }

    private static Command RemoveMember(CliContext context)
    {
        var (team, user) = MemberArguments();
        return new Command("remove-member", "Remove a user from a team: from their next request they act on none of its machines.") { team, user }
            .Set(context, async (s, parse, ct) =>
            {
                await s.Client.RemoveTeamMemberAsync(parse.GetValue(team)!, parse.GetValue(user)!, ct);
                if (!s.Output.IsJson) await s.Output.LineAsync($"Removed {parse.GetValue(user)} from team {parse.GetValue(team)}.", ct);
                return 0;
            });
    }

    private static Command List(CliContext context) =>
        new Command("list", "List the teams.").Set(context, async (s, _, ct) =>
        {
            await s.Output.WriteAsync(await s.Client.ListTeamsAsync(ct), Table, ct);
            return 0;
        });

    private static Command New(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Team name, e.g. storage." };
        return new Command("create", "Create a team.") { name }.Set(context, async (s, parse, ct) =>
        {
            var team = await s.Client.CreateTeamAsync(new TeamCreate(parse.GetValue(name)), ct);
            await s.Output.WriteAsync(team, one => Table([one]), ct);
            return 0;
        });
    }

    private static Command Delete(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The team to delete; it must own no roles." };
        return new Command("delete", "Delete a team.") { name }.Set(context, async (s, parse, ct) =>
        {
            await s.Client.DeleteTeamAsync(parse.GetValue(name)!, ct);
            if (!s.Output.IsJson) await s.Output.LineAsync($"Deleted team {parse.GetValue(name)}.", ct);
            return 0;
        });
    }

    private static IRenderable Table(IReadOnlyList<TeamView> teams)
    {
        var table = Output.Table("ID", "NAME", "CREATED");
        foreach (var team in teams) Output.Row(table, team.Id, team.Name, team.CreatedAt);
        return table;
    }
}
