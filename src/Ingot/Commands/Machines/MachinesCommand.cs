using System.CommandLine;

namespace Ingot.Commands.Machines;

/// <summary>`ingot machines …`: the inventory of physical servers and their lifecycle.</summary>
internal static class MachinesCommand
{
    public static Command Create(CliContext context) => new("machines", "Physical servers: find, show, add, import, move through the lifecycle.")
    {
        ListCommand.Create(context),
        ShowCommand.Create(context),
        CreateCommand.Create(context),
        ImportCommand.Create(context),
        TransitionCommand.Create(context),
        MaintenanceCommand.Create(context),
        HistoryCommand.Create(context),
        DeleteCommand.Create(context),
    };

    /// <summary>The MACHINE argument: the server accepts any of the three names for it.</summary>
    public static Argument<string> MachineArgument() => new("machine")
    {
        Description = "The machine's id, hardware_name or hostname.",
    };
}
