using System.CommandLine;
using Ingot.Client;

namespace Ingot.Commands.Machines;

/// <summary>`ingot machines transition MACHINE TRIGGER`: move a machine through its lifecycle by hand.</summary>
internal static class TransitionCommand
{
    public static Command Create(CliContext context)
    {
        var machine = MachinesCommand.MachineArgument();
        // Not restricted to the known triggers here: the server's lifecycle table is the authority, and its
        // 409 names the triggers allowed from the machine's current state.
        var trigger = new Argument<string>("trigger")
        {
            Description = "What happened: " + string.Join(", ", Enum.GetValues<Trigger>().Select(t => Output.Cell(t))) + ".",
        };
        var reason = new Option<string?>("--reason") { Description = "Why, for the machine's history." };
        return new Command("transition", "Apply a lifecycle trigger to a machine (e.g. commission, decommission).") { machine, trigger, reason }
            .Set(context, async (s, parse, ct) =>
            {
                var moved = await s.Client.TransitionAsync(parse.GetValue(machine)!, parse.GetValue(trigger)!, parse.GetValue(reason), ct);
                if (s.Output.IsJson) await s.Output.JsonAsync(moved, ct);
                else await s.Output.LineAsync($"{moved.HardwareName} is now {Output.Cell(moved.State)}.", ct);
                return 0;
            });
    }
}
