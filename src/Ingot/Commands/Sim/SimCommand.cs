using System.CommandLine;

namespace Ingot.Commands.Sim;

/// <summary>`ingot sim …`: simulated hardware for demos, benchmarks and fault tests. Needs no Ingot server.</summary>
internal static class SimCommand
{
    public static Command Create(CliContext context) => new("sim", "Run simulated hardware (BMCs answering IPMI and Redfish on loopback).")
    {
        SimBmcCommand.Create(context),
    };
}
