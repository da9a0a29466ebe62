using System.CommandLine;
using Ingot.Client;

namespace Ingot.Commands.Login;

/// <summary>`ingot login`: checks a token against a server and saves both, so later verbs need neither flag.</summary>
internal static class LoginCommand
{
    public static Command Create(CliContext context)
    {
        var url = new ClientOption<string?>("--url")
        {
            Description = $"Server URL. Env: {Connection.UrlVariable}; else the saved one; else {Connection.DefaultUrl}",
            HelpName = "url",
        };
        var token = new ClientOption<string?>("--token") { Description = "The API token, or '-' to read it from stdin.", HelpName = "token" };
        var tokenFile = new Option<string?>("--token-file") { Description = "Read the API token from this file.", HelpName = "path" };
        var output = ClientOptions.NewOutputOption();
        var command = new Command("login", $"Check an API token against a server and save both to the config file ({context.ConfigPath}).")
        {
            url, token, tokenFile, output,
        };
        command.SetAction(async (parse, ct) =>
        {
            Connection? connection = null;
            return await Failures.GuardAsync(context, () => connection, async () =>
            {
                var saved = await CliConfig.LoadAsync(context.ConfigPath, ct);
                connection = new Connection(
                    Server(context, LeadingOptions.Given(parse, url), saved),
                    await TokenAsync(context, LeadingOptions.Given(parse, token), parse.GetValue(tokenFile), ct),
                    "login");
                using var http = new HttpClient { BaseAddress = connection.Url };
                var me = await new IngotClient(http, connection.Token).WhoAmIAsync(ct);
                await new CliConfig(connection.Url.ToString(), connection.Token).SaveAsync(context.ConfigPath, ct);

                var print = new Output(context, ClientOptions.Format(parse, output));
                if (print.IsJson) await print.JsonAsync(me, ct);
                else await print.LineAsync($"Logged in to {connection.Url} as {WhoAmICommand.Describe(me)}; saved to {context.ConfigPath}.", ct);
                return 0;
            }, ct);
        });
        return command;
    }

    private static Uri Server(CliContext context, string? flag, CliConfig? saved)
    {
        if (!string.IsNullOrWhiteSpace(flag)) return Connection.ParseUrl(flag, "--url");
        if (context.Environment(Connection.UrlVariable) is { Length: > 0 } env) return Connection.ParseUrl(env, Connection.UrlVariable);
        if (saved?.Url is { Length: > 0 } previous) return Connection.ParseUrl(previous, context.ConfigPath);
        return Connection.ParseUrl(Connection.DefaultUrl, "the default");
    }

    /// <summary>The token from exactly one of --token, --token - (stdin) and --token-file. INGOT_TOKEN is not
    /// consulted: saving a credential should be a deliberate act, not a side effect of the environment.</summary>
    private static async Task<string> TokenAsync(CliContext context, string? flag, string? file, CancellationToken ct)
    {
        if (flag is not null && file is not null)
            throw new UsageException("Give the token with either --token or --token-file, not both.");
        if (file is not null) return await TextInput.ReadSecretAsync(context, file, "token", ct);
        if (flag == "-") return await TextInput.ReadSecretAsync(context, "-", "token", ct);
        if (!string.IsNullOrWhiteSpace(flag)) return flag.Trim();
        throw new UsageException(
            "No token to log in with: pass --token TOKEN, --token - (read from stdin) or --token-file PATH. " +
            "A new server writes its admin token to DATA/admin-token; 'ingot tokens create' makes more.");
    }
}
