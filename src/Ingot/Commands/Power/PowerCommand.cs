using System.CommandLine;
using Ingot.Client;

namespace Ingot.Commands.Power;

/// <summary>`ingot power on|off|cycle HOST…`: change machines' power through the server's job broker, which
/// confirms each change with the BMC (unlike `ingot bmc power`, which talks to one BMC directly).</summary>
internal static class PowerCommand
{
    public static Command Create(CliContext context) => new("power", "Power machines on, off or cycle them, as jobs the server runs and confirms.")
    {
        Verb(context, "on", JobActions.PowerOn, "Power machines on (nothing is sent to one that is on already)."),
        Verb(context, "off", JobActions.PowerOff, "Power machines off hard (nothing is sent to one that is off already)."),
        Verb(context, "cycle", JobActions.PowerCycle, "Power machines off, confirmed, then on, confirmed (one that is off is just powered on)."),
    };

    private static Command Verb(CliContext context, string name, string action, string description)
    {
        var command = new Command(name, $"{description} {HostJobs.Outcome}");
        var hosts = HostJobs.AddTo(command);
        return command.Set(context, (s, parse, ct) => hosts.RunAsync(s, parse, action, null, ct));
    }
}
