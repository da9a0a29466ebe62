using System.CommandLine;

namespace Ingot.Commands.Machines;

/// <summary>`ingot machines maintenance MACHINE on|off`: keep every automated loop away from a machine, or let them back.</summary>
internal static class MaintenanceCommand
{
    public static Command Create(CliContext context)
    {
        var machine = MachinesCommand.MachineArgument();
        var mode = new Argument<string>("on|off") { Description = "on: automation leaves the machine alone; off: back to normal." };
        mode.AcceptOnlyFromAmong("on", "off");
        var reason = new Option<string?>("--reason") { Description = "Why, shown with the machine." };
        return new Command("maintenance", "Put a machine in or out of maintenance.") { machine, mode, reason }
            .Set(context, async (s, parse, ct) =>
            {
                var updated = await s.Client.SetMaintenanceAsync(parse.GetValue(machine)!, parse.GetValue(mode) == "on", parse.GetValue(reason), ct);
                if (s.Output.IsJson) await s.Output.JsonAsync(updated, ct);
                else await s.Output.LineAsync($"{updated.HardwareName}: maintenance {MachineTable.Maintenance(updated)}.", ct);
                return 0;
            });
    }
}
