using System.CommandLine;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Tests.Commands;

/// <summary>The README's commands are the CLI's: every `ingot …` line of its shell blocks names verbs that exist and
/// flags those verbs take (a renamed or removed flag fails here, not on a newcomer's first try).</summary>
public sealed class ReadmeTests
{
    [Fact]
    public void Every_ingot_command_in_the_readme_names_existing_verbs_and_flags()
    {
        var root = Cli.Build(new CliContext(TextWriter.Null, TextWriter.Null, _ => null, "config.json", TextReader.Null));
        var lines = CommandLines(File.ReadAllLines(Path.Combine(Repository.Root, "README.md"))).ToList();
        Assert.True(lines.Count > 30, $"found only {lines.Count} ingot commands in the README");
        var problems = new List<string>();
        foreach (var line in lines)
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Command command = root;
            var i = 1;
            for (; i < words.Length && command.Subcommands.FirstOrDefault(c => c.Name == words[i]) is { } sub; i++) command = sub;
            if (command == root || command.Subcommands.Count > 0 && command.Action is null) problems.Add($"no verb: {line}");
            foreach (var flag in words.Skip(i).Where(w => w.StartsWith('-') && w.Length > 1 && w != "-").Select(w => w.Split('=')[0]))
                if (!Takes(command, flag)) problems.Add($"'{Named(command)}' takes no {flag}: {line}");
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    /// <summary>The `ingot …` lines of the README's sh blocks, without their comments.</summary>
    private static IEnumerable<string> CommandLines(IEnumerable<string> readme)
    {
        var inShell = false;
        var pending = "";
        foreach (var raw in readme)
        {
            if (raw.StartsWith("```", StringComparison.Ordinal)) { inShell = raw == "```sh"; continue; }
            if (!inShell) continue;
            var line = pending + raw.Split(" #")[0].Trim();
            // A line continued with '\' is one command.
            if (line.EndsWith('\\')) { pending = line.TrimEnd('\\') + " "; continue; }
            pending = "";
            foreach (var part in line.Split("&&").Select(p => p.Trim()))
            {
                var words = part.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipWhile(w => w.Contains('=') && !w.StartsWith('-')).ToList();
                if (words is ["ingot", _, ..]) yield return string.Join(' ', words);
            }
        }
    }

    private static bool Takes(Command command, string flag)
    {
        for (Command? c = command; c is not null; c = c.Parents.OfType<Command>().FirstOrDefault())
            if (c.Options.Any(o => (o.Name == flag || o.Aliases.Contains(flag)) && (c == command || o.Recursive)) || flag is "--help" or "-h")
                return true;
        return false;
    }

    private static string Named(Command command)
    {
        var names = new List<string>();
        for (Command? c = command; c?.Parents.OfType<Command>().FirstOrDefault() is { } parent; c = parent) names.Insert(0, c.Name);
        return string.Join(' ', names.Prepend("ingot"));
    }
}
