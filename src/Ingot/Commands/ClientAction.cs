using System.CommandLine;
using Ingot.Client;

namespace Ingot.Commands;

/// <summary>Makes a command a client verb: adds --url, --token and -o, and runs its body with a client for
/// the resolved server, reporting expected failures through <see cref="Failures"/>.</summary>
internal static class ClientAction
{
    public delegate Task<int> Body(Session session, ParseResult parse, CancellationToken ct);

    public static Command Set(this Command command, CliContext context, Body body)
    {
        var options = ClientOptions.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            Connection? connection = null;
            return await Failures.GuardAsync(context, () => connection, async () =>
            {
                connection = await Connection.ResolveAsync(context, LeadingOptions.Given(parse, options.Url), LeadingOptions.Given(parse, options.Token),
                    LeadingOptions.Given(parse, options.Authority), ct);
                using var http = connection.CreateHttp();
                var session = new Session(new IngotClient(http, connection.Token), new Output(context, options.Format(parse)), connection, context);
                return await body(session, parse, ct);
            }, ct);
        });
        return command;
    }
}
