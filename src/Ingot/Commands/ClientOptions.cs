using System.CommandLine;

namespace Ingot.Commands;

public enum OutputFormat { Table, Json }

/// <summary>The options every client verb takes: where the server is, which token to use, how to print.
/// Each verb gets its own instances, so `ingot sites list --help` lists them beside the verb's own; they may also be
/// given before the verb (<see cref="LeadingOptions"/>).</summary>
internal sealed class ClientOptions
{
    public ClientOption<string?> Url { get; } = new("--url")
    {
        Description = $"Server URL. Env: {Connection.UrlVariable}; else the one saved by 'ingot login'; else {Connection.DefaultUrl}",
        HelpName = "url",
    };

    public ClientOption<string?> Token { get; } = new("--token")
    {
        Description = $"API token. Env: {Connection.TokenVariable}; else the one saved by 'ingot login'. " +
                      "A flag shows in the process list, so prefer those.",
        HelpName = "token",
    };

    public ClientOption<string?> Authority { get; } = NewAuthorityOption();

    public ClientOption<string> Output { get; } = NewOutputOption();

    private ClientOptions() { }

    /// <summary>-o|--output table|json, for verbs (such as login) that resolve the server themselves.</summary>
    public static ClientOption<string> NewOutputOption()
    {
        var output = new ClientOption<string>("--output", "-o")
        {
            Description = "Output format: table (for people) or json (the server's records, for scripts).",
            DefaultValueFactory = _ => "table",
        };
        output.AcceptOnlyFromAmong("table", "json");
        return output;
    }

    /// <summary>--ca-certificate, for verbs (such as login) that resolve the server themselves.</summary>
    public static ClientOption<string?> NewAuthorityOption() => new("--ca-certificate")
    {
        Description = $"PEM file of the CA that signed an https:// server's certificate (or the certificate itself, if self-signed), " +
                      $"trusted instead of the system's. Env: {Connection.AuthorityVariable}; else the one saved by 'ingot login'.",
        HelpName = "path",
    };

    public static ClientOptions AddTo(Command command)
    {
        var options = new ClientOptions();
        command.Options.Add(options.Url);
        command.Options.Add(options.Token);
        command.Options.Add(options.Authority);
        command.Options.Add(options.Output);
        return options;
    }

    public OutputFormat Format(ParseResult parse) => Format(parse, Output);

    public static OutputFormat Format(ParseResult parse, Option<string> output) =>
        LeadingOptions.Given(parse, output) == "json" ? OutputFormat.Json : OutputFormat.Table;
}
