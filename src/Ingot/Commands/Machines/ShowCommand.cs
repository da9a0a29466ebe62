using System.CommandLine;

namespace Ingot.Commands.Machines;

/// <summary>`ingot machines show MACHINE`: everything the inventory knows about one machine.</summary>
internal static class ShowCommand
{
    public static Command Create(CliContext context)
    {
        var machine = MachinesCommand.MachineArgument();
        return new Command("show", "Show one machine: location, lifecycle, NICs, BMC (never its password), tags.") { machine }
            .Set(context, async (s, parse, ct) =>
            {
                await s.Output.WriteAsync(await s.Client.GetMachineAsync(parse.GetValue(machine)!, ct), MachineTable.Details, ct);
                return 0;
            });
    }
}
