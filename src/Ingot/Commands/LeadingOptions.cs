using System.CommandLine;
using System.CommandLine.Parsing;

namespace Ingot.Commands;

/// <summary>An option a verb takes that may also be given before the verb (`ingot --token T machines list`): the
/// verbs that talk to a server declare theirs as this type, so the root knows which verbs a leading one reaches.</summary>
internal sealed class ClientOption<T>(string name, params string[] aliases) : Option<T>(name, aliases), IClientOption;

internal interface IClientOption;

/// <summary>`--url`, `--token` and `-o` before the verb. Each verb keeps its own instances (so its help lists them
/// beside its other options); the root holds hidden recursive ones that catch those written before the verb, and
/// <see cref="Given"/> reads the verb's value, else the leading one. A leading option that the verb does not take as
/// a <see cref="ClientOption{T}"/> (`ingot --url X demo`, where demo's --url is a listen address) is refused by name
/// rather than ignored.</summary>
internal static class LeadingOptions
{
    public static void AddTo(RootCommand root)
    {
        Option<string?>[] leading =
        [
            new("--url") { Recursive = true, Hidden = true },
            new("--token") { Recursive = true, Hidden = true },
            new("--ca-certificate") { Recursive = true, Hidden = true },
            new("--output", "-o") { Recursive = true, Hidden = true },
        ];
        leading[3].AcceptOnlyFromAmong("table", "json");
        foreach (var option in leading)
        {
            root.Options.Add(option);
            // A root's own validators run only when no verb is named, so each option checks the verb it reached.
            option.Validators.Add(result =>
            {
                var verb = Verb(result);
                if (!verb.Options.Any(o => o.Name == option.Name && o is IClientOption))
                    result.AddError($"{option.Name} applies to the verbs that talk to a server; '{Path(verb)}' does not take it.");
            });
        }
    }

    /// <summary>The value of <paramref name="own"/> if given after the verb, else of the same option given before
    /// it, else null (the caller decides the default).</summary>
    public static string? Given(ParseResult parse, Option own)
    {
        if (parse.GetResult(own) is { Implicit: false } mine) return mine.GetValueOrDefault<string?>();
        var leading = parse.RootCommandResult.Command.Options.FirstOrDefault(o => o.Recursive && o.Name == own.Name);
        return leading is not null && parse.GetResult(leading) is { Implicit: false } before ? before.GetValueOrDefault<string?>() : null;
    }

    /// <summary>The innermost command of the parse <paramref name="result"/> belongs to.</summary>
    private static Command Verb(SymbolResult result)
    {
        while (result.Parent is { } parent) result = parent;
        var command = (CommandResult)result;
        while (command.Children.OfType<CommandResult>().FirstOrDefault() is { } sub) command = sub;
        return command.Command;
    }

    private static string Path(Command command)
    {
        var names = new List<string>();
        for (Command? c = command; c is not null; c = c.Parents.OfType<Command>().FirstOrDefault()) names.Insert(0, c.Name);
        return string.Join(' ', names.Skip(1).Prepend("ingot"));
    }
}
