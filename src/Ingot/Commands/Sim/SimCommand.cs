using System.CommandLine;

namespace Ingot.Commands.Sim;

/// <summary>`ingot sim …`: simulated hardware for demos, benchmarks and fault tests. `bmc` needs no Ingot server;
/// `fleet` boots from one and registers its machines there.</summary>
internal static class SimCommand
{
    public static Command Create(CliContext context) => new("sim", "Run simulated hardware (BMCs answering IPMI and Redfish, machines that network-boot) on loopback.")
    {
        SimBmcCommand.Create(context),
        SimFleetCommand.Create(context),
    };
}
