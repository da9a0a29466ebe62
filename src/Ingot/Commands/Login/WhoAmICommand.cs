using System.CommandLine;
using Ingot.Client;

namespace Ingot.Commands.Login;

/// <summary>`ingot whoami`: who the server takes you for, and which server and token setting were used.</summary>
internal static class WhoAmICommand
{
    public static Command Create(CliContext context) =>
        new Command("whoami", "Show the user the server knows your token as, the server, and where the token came from.")
            .Set(context, async (s, _, ct) =>
            {
                var me = await s.Client.WhoAmIAsync(ct);
                await s.Output.WriteAsync(me, _ => Output.Details(
                    ("user", me.Name), ("admin", me.Admin), ("grant", me.Grant), ("teams", me.Teams), ("service of", me.ServiceOf),
                    ("scope", Tokens.TokenCommands.Scope(me.Scope)), ("expires", me.TokenExpiresAt is { } at ? Output.Time(at) : "never"),
                    ("server", s.Connection.Url.ToString()), ("token from", s.Connection.TokenSource)), ct);
                return 0;
            });

    public static string Describe(WhoAmI me) =>
        me.Name + (me.Admin ? " (admin)" : me.Grant is { } grant ? $" ({grant})" : "") + (me.Teams.Count > 0 ? $", member of {string.Join(", ", me.Teams)}" : "");
}
