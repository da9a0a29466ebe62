using System.CommandLine;

namespace Ingot.Commands.Boot;

/// <summary>`ingot boot …`: configuration for the network-boot services in front of Ingot (docs/boot.md).</summary>
internal static class BootCommand
{
    public static Command Create(CliContext context) => new("boot", "Network boot: configuration for the DHCP/TFTP servers that send machines to Ingot's boot service.")
    {
        DnsmasqConfigCommand.Create(context),
    };
}
