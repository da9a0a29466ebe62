using System.Net;
using System.Text;
using Ingot.Bmc;
using Ingot.Client;
using Ingot.Simulator.Ipmi;
using Ingot.Simulator.Machines;

namespace Ingot.Commands.Sim;

/// <summary>Puts the simulated fleet's known machines into the server's inventory with one CSV import
/// (docs/csv-import.md): serial, MACs, place, and their BMC (driver sim, its address and port, the
/// simulator's administrator), so the server can power them and boot them at once.</summary>
internal static class FleetRegistration
{
    /// <summary>The account the inventory records: the simulator's administrator, enough for power and boot.</summary>
    private static readonly Ingot.Simulator.SimUser Account = SimulatorOptions.DefaultUsers.First(u => u.MaxPrivilege == IpmiPrivilege.Administrator);

    public static string Csv(IReadOnlyList<(MachineIdentity Machine, IPEndPoint Bmc)> machines, string? site, string? rack)
    {
        var csv = new StringBuilder("serial,vendor,model,site,rack,macs,bmc_driver,bmc_address,bmc_port,bmc_username,bmc_password\n");
        foreach (var (machine, bmc) in machines)
            csv.AppendJoin(',', new[]
            {
                machine.Serial, machine.Vendor, machine.Model, site ?? "", rack ?? "", string.Join(' ', machine.Macs),
                BmcDrivers.Sim, bmc.Address.ToString(), bmc.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Account.Name, Account.Password,
            }.Select(Field)).Append('\n');
        return csv.ToString();
    }

    /// <summary>Imports the machines; a row the server refuses (a serial it already has, from an earlier run)
    /// does not stop the others.</summary>
    public static Task<ImportResult> RegisterAsync(IngotClient client, IReadOnlyList<(MachineIdentity Machine, IPEndPoint Bmc)> machines,
        string? site, string? rack, CancellationToken ct) =>
        client.ImportMachinesAsync(Csv(machines, site, rack), dryRun: false, ct);

    /// <summary>RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.</summary>
    private static string Field(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{value.Replace("\"", "\"\"")}\"" : value;
}
