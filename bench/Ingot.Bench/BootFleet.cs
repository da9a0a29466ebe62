using System.Diagnostics;
using System.Globalization;
using System.Net;
using Ingot.Bmc;
using Ingot.Simulator.Ipmi;
using Ingot.Simulator.Machines;

namespace Ingot.Bench;

/// <summary>The boot benchmark's simulated machines: a SimulatedFleet in a child process (<c>boot-fleet</c>), so the
/// machines' HTTP and their BMCs' IPMI are not charged to the server or to this process. Everything about machine i
/// derives from its index (MachineIdentity.Generate, IpmiFleet.EndpointOf), so the parent registers the same MACs and
/// BMC addresses without asking the child.</summary>
public static class BootFleet
{
    /// <summary>127.4.x.y, UDP 623, one address per BMC: a range no other benchmark or test uses.</summary>
    public static readonly IPAddress Base = IPAddress.Parse("127.4.0.1");
    public const string SerialPrefix = "BOOT-";

    public static MachineIdentity Identity(int index) => MachineIdentity.Generate(SerialPrefix, index);

    public static IPEndPoint Bmc(int index) => IpmiFleet.EndpointOf(new SimulatorOptions { IpmiBase = Base }, index);

    /// <summary>The machines whose installer always posts 'failed' when <paramref name="failPercent"/> of
    /// <paramref name="count"/> do: FleetFaults' seeded shuffle, so the parent knows them without asking the child.</summary>
    public static HashSet<int> Failing(int count, int failPercent) =>
        [.. Faults(failPercent).Assign(count).Select((f, i) => (f.Machine.InstallerFails, i)).Where(x => x.InstallerFails).Select(x => x.i)];

    private static FleetFaults Faults(int failPercent) => failPercent == 0 ? FleetFaults.None : new FleetFaults { FailPercent = failPercent };

    /// <summary>Child side. Machines are powered on (the reimage's are in use), with no faults unless
    /// <paramref name="failPercent"/> says (request-e2e: those installers post 'failed' every time, <see cref="Failing"/>);
    /// an installer takes exactly <paramref name="installSeconds"/> from 'started' to 'finished'. When standard input
    /// closes it prints its machines' boot counters on one line, then stops.</summary>
    public static async Task ServeAsync(Uri server, int count, int installSeconds, int failPercent = 0)
    {
        var fleet = await SimulatedFleet.StartAsync(new FleetOptions
        {
            Server = server, Count = count, SerialPrefix = SerialPrefix,
            Bmcs = new SimulatorOptions { IpmiBase = Base, InitialPower = PowerState.On },
            Timings = BootTimings.Default with { Install = TimeSpan.FromSeconds(installSeconds) },
            Faults = Faults(failPercent),
        });
        Console.WriteLine("ready");
        await Console.In.ReadToEndAsync();
        var c = fleet.Machines.Select(m => m.Counters).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"network_boots={c.Sum(x => x.NetworkBoots)} installs={c.Sum(x => x.InstallsFinished)} failed={c.Sum(x => x.InstallsFailed)} gave_up={c.Sum(x => x.GaveUp)} hung={c.Sum(x => x.Hangs)}"));
        await fleet.DisposeAsync();
    }

    /// <summary>Parent side: closes the child's input and returns its counters line.</summary>
    public static async Task<string> StopAsync(Process child)
    {
        child.StandardInput.Close();
        var line = await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)) ?? "(no counters)";
        await JobsProcesses.StopAsync(child);
        return line;
    }
}
