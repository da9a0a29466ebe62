using System.CommandLine;
using Ingot.Client;

namespace Ingot.Commands.Power;

/// <summary>`ingot wipe|recycle|decommission HOST…`: the actions that boot the wipe image to erase the disks, then
/// leave the machine where it stands, return it to the pool or take it out of the fleet. They take no params.</summary>
internal static class WipeCommand
{
    public static Command Wipe(CliContext context) => Create(context, "wipe", JobActions.WipeDisks,
        "Wipe the disks of machines (available, in_use or broken): boot the wipe image to erase them. The machine keeps " +
        "its state, role and hostname; its installed image is cleared.");

    public static Command Recycle(CliContext context) => Create(context, "recycle", JobActions.Recycle,
        "Recycle in_use machines: boot the wipe image to erase the disks, then make them available again with their " +
        "role and hostname released.");

    public static Command Decommission(CliContext context) => Create(context, "decommission", JobActions.Decommission,
        "Decommission machines (any state but installing): boot the wipe image to erase the disks, power off, and " +
        "mark them decommissioned.");

    private static Command Create(CliContext context, string name, string action, string description)
    {
        var command = new Command(name, $"{description} {HostJobs.Outcome}");
        var hosts = HostJobs.AddTo(command, erases: true);
        return command.Set(context, (s, parse, ct) => hosts.RunAsync(s, parse, action, null, ct));
    }
}
