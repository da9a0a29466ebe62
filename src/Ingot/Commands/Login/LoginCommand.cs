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
        var ldap = new Option<string?>("--ldap")
        {
            Description = "Sign in as this directory (LDAP / Active Directory) user instead of giving a token: the server issues an expiring one.",
            HelpName = "user",
        };
        var passwordFile = new Option<string?>("--password-file")
        {
            Description = "With --ldap: read the password from this file, or '-' (the default) for stdin.", HelpName = "path",
        };
        var authority = ClientOptions.NewAuthorityOption();
        var output = ClientOptions.NewOutputOption();
        var command = new Command("login", $"Check an API token (or sign in with --ldap) against a server and save both (and the CA to trust, if given) to the config file ({context.ConfigPath}).")
        {
            url, token, tokenFile, ldap, passwordFile, authority, output,
        };
        command.SetAction(async (parse, ct) =>
        {
            Connection? connection = null;
            return await Failures.GuardAsync(context, () => connection, async () =>
            {
                var saved = await CliConfig.LoadAsync(context.ConfigPath, ct);
                var server = Server(context, LeadingOptions.Given(parse, url), saved);
                var trust = Authority(context, LeadingOptions.Given(parse, authority), saved, server);
                var issued = parse.GetValue(ldap) is { } user
                    ? await SignInAsync(context, new Connection(server, "", "--ldap", trust), user, LeadingOptions.Given(parse, token), parse.GetValue(tokenFile),
                        parse.GetValue(passwordFile), ct)
                    : null;
                connection = new Connection(server, issued ?? await TokenAsync(context, LeadingOptions.Given(parse, token), parse.GetValue(tokenFile), ct),
                    "login", trust);
                using var http = connection.CreateHttp();
                var me = await new IngotClient(http, connection.Token).WhoAmIAsync(ct);
                // The CA by its full path: later verbs may run from another directory.
                var ca = connection.Authority is { } given ? Path.GetFullPath(given.Path) : null;
                await new CliConfig(connection.Url.ToString(), connection.Token, ca).SaveAsync(context.ConfigPath, ct);

                var print = new Output(context, ClientOptions.Format(parse, output));
                if (print.IsJson) await print.JsonAsync(me, ct);
                else await print.LineAsync($"Logged in to {connection.Url} as {WhoAmICommand.Describe(me)}; saved to {context.ConfigPath}.", ct);
                return 0;
            }, ct);
        });
        return command;
    }

    /// <summary>A directory sign-in: the password from a file or stdin (never a flag: it would sit in the shell's history
    /// and in the process list), the token the server issues for it.</summary>
    private static async Task<string> SignInAsync(CliContext context, Connection anonymous, string user, string? token, string? tokenFile,
                                                  string? passwordFile, CancellationToken ct)
    {
        if (token is not null || tokenFile is not null) throw new UsageException("Give either --ldap USER or a token (--token, --token-file), not both.");
        if (string.IsNullOrWhiteSpace(user)) throw new UsageException("--ldap needs the directory user to sign in as.");
        var path = passwordFile ?? "-";
        // One line: the newline that echo or an editor adds is not part of the password; spaces are.
        var password = (await TextInput.ReadAsync(context, path, "password", ct)).TrimEnd('\n').TrimEnd('\r');
        if (password.Length == 0) throw new UsageException($"The password from {(path == "-" ? "stdin" : path)} is empty.");
        using var http = anonymous.CreateHttp();
        return (await new IngotClient(http, "").LoginLdapAsync(user.Trim(), password, ct)).Token;
    }

    private static Uri Server(CliContext context, string? flag, CliConfig? saved)
    {
        if (!string.IsNullOrWhiteSpace(flag)) return Connection.ParseUrl(flag, "--url");
        if (context.Environment(Connection.UrlVariable) is { Length: > 0 } env) return Connection.ParseUrl(env, Connection.UrlVariable);
        if (saved?.Url is { Length: > 0 } previous) return Connection.ParseUrl(previous, context.ConfigPath);
        return Connection.ParseUrl(Connection.DefaultUrl, "the default");
    }

    /// <summary>The CA given now, else the one saved with this same server (a login to another server keeps no other's CA).</summary>
    private static (string Path, string Source)? Authority(CliContext context, string? flag, CliConfig? saved, Uri server) =>
        Connection.GivenAuthority(context, flag)
        ?? (saved is { CaCertificate: { Length: > 0 } ca, Url: { } previous } && Connection.ParseUrl(previous, context.ConfigPath) == server
            ? (ca, context.ConfigPath) : null);

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
