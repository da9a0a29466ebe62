using System.CommandLine;

namespace Ingot.Commands.Bmc;

/// <summary>`ingot bmc …`: talk to one BMC directly, over IPMI or Redfish, without an Ingot server. For
/// checking a BMC by hand and for trying the drivers against the simulator.</summary>
internal static class BmcCommand
{
    public static Command Create(CliContext context) => new("bmc", "Talk to one BMC directly (IPMI or Redfish): info, power, boot device.")
    {
        InfoCommand.Create(context),
        PowerCommand.Create(context),
        BootdevCommand.Create(context),
    };
}
