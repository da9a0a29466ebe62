using System.CommandLine;

namespace Ingot.Commands.Machines;

/// <summary>`ingot machines delete MACHINE`: remove a machine from the inventory.</summary>
internal static class DeleteCommand
{
    public static Command Create(CliContext context)
    {
        var machine = MachinesCommand.MachineArgument();
        return new Command("delete", "Remove a machine from the inventory.") { machine }
            .Set(context, async (s, parse, ct) =>
            {
                await s.Client.DeleteMachineAsync(parse.GetValue(machine)!, ct);
                if (!s.Output.IsJson) await s.Output.LineAsync($"Deleted machine {parse.GetValue(machine)}.", ct);
                return 0;
            });
    }
}
