using System.CommandLine;
using Ingot.Client;
using Spectre.Console.Rendering;

namespace Ingot.Commands.Machines;

/// <summary>`ingot machines history MACHINE`: every state change, with who caused it and why.</summary>
internal static class HistoryCommand
{
    public static Command Create(CliContext context)
    {
        var machine = MachinesCommand.MachineArgument();
        return new Command("history", "Show a machine's state changes: when, from, to, trigger, who and why.") { machine }
            .Set(context, async (s, parse, ct) =>
            {
                await s.Output.WriteAsync(await s.Client.HistoryAsync(parse.GetValue(machine)!, ct), Table, ct);
                return 0;
            });
    }

    private static IRenderable Table(IReadOnlyList<HistoryEntry> entries)
    {
        var table = Output.Table("AT", "FROM", "TO", "TRIGGER", "ACTOR", "REASON");
        foreach (var e in entries) Output.Row(table, e.At, e.From, e.To, e.Trigger, e.Actor, e.Reason);
        return table;
    }
}
