using System.CommandLine;

namespace Ingot.Commands;

/// <summary>Registers the client verbs (each in Commands/&lt;Noun&gt;/).</summary>
public static class ClientCommands
{
    public static IEnumerable<Command> All(CliContext context) => [];
}
