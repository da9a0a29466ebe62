using System.CommandLine;
using System.Net;
using Ingot.Bmc;
using Ingot.Client;
using Ingot.Simulator.Ipmi;
using Ingot.Simulator.Machines;

namespace Ingot.Commands.Sim;

/// <summary>`ingot sim fleet --machines N --server URL`: N simulated machines that network-boot from the server,
/// each with a BMC answering IPMI on its own loopback address. The N are registered in the server's inventory;
/// --unknown K more are not, so they are discovered when they PXE-boot. Prints what the machines do until Ctrl-C.</summary>
internal static class SimFleetCommand
{
    // Beyond this many machines a line each would bury the summary; the first few show the pattern.
    private const int ListedMachines = 10;

    public static Command Create(CliContext context)
    {
        var machines = new Option<int>("--machines", "-n") { Description = "Machines registered in the server's inventory. Default 10", DefaultValueFactory = _ => 10 };
        var server = new Option<string?>("--server") { Description = $"The Ingot server they boot from and are registered in. Env: {Connection.UrlVariable}; else the one saved by 'ingot login'; else {Connection.DefaultUrl}", HelpName = "url" };
        var token = new ClientOption<string?>("--token") { Description = $"Admin API token for the registration. Env: {Connection.TokenVariable}; else the one saved by 'ingot login'.", HelpName = "token" };
        var unknown = new Option<int>("--unknown") { Description = "More machines, not registered: the server discovers them when they PXE-boot. Default 0" };
        var powerOnUnknown = new Option<bool>("--power-on-unknown") { Description = "Power the unknown machines on at start, so they PXE-boot and get discovered at once." };
        var faults = new Option<string?>("--faults") { Description = $"Misbehaving machines: {FleetFaultSpec.Syntax}.", HelpName = "profile" };
        var ipmiBase = new Option<string>("--ipmi-base") { Description = "First BMC's address (127.x.y.z); the others follow. Default 127.3.0.1", DefaultValueFactory = _ => "127.3.0.1" };
        var ipmiPort = new Option<int>("--ipmi-port") { Description = "UDP port of every BMC (623 needs root). Default 6230", DefaultValueFactory = _ => 6230 };
        var installSeconds = new Option<double>("--install-seconds") { Description = "How long an installer runs. Default 30", DefaultValueFactory = _ => 30 };
        var wipeSeconds = new Option<double>("--wipe-seconds") { Description = "How long a wipe runs. Default 20", DefaultValueFactory = _ => 20 };
        var site = new Option<string?>("--site") { Description = "Site of the registered machines (it must exist)." };
        var rack = new Option<string?>("--rack") { Description = "Rack of the registered machines (it must exist)." };
        var serialPrefix = new Option<string>("--serial-prefix") { Description = "Serials are this plus a number. Default SIM-", DefaultValueFactory = _ => "SIM-" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the summary, not each machine's boots." };
        var command = new Command("fleet", "Run simulated machines that network-boot from an Ingot server, until Ctrl-C.")
            { machines, server, token, unknown, powerOnUnknown, faults, ipmiBase, ipmiPort, installSeconds, wipeSeconds, site, rack, serialPrefix, quiet };
        command.SetAction(async (parse, ct) =>
        {
            Connection? connection = null;
            return await Failures.GuardAsync(context, () => connection, async () =>
            {
                var (known, extra) = (parse.GetValue(machines), parse.GetValue(unknown));
                if (known < 0 || extra < 0 || known + extra < 1) throw new UsageException("--machines and --unknown are 0 or more, and at least one machine in all.");
                var (install, wipe) = (parse.GetValue(installSeconds), parse.GetValue(wipeSeconds));
                if (install < 0 || wipe < 0) throw new UsageException("--install-seconds and --wipe-seconds are 0 or more.");
                var port = parse.GetValue(ipmiPort);
                if (port is < 1 or > IPEndPoint.MaxPort) throw new UsageException("--ipmi-port is from 1 to 65535 (the inventory needs to know it).");
                var profile = parse.GetValue(faults) is { } text ? FleetFaultSpec.Parse(text) : FleetFaults.None;
                connection = await Connection.ResolveAsync(context, parse.GetValue(server), LeadingOptions.Given(parse, token), null, ct);
                var options = new FleetOptions
                {
                    Server = connection.Url,
                    Count = known + extra,
                    Bmcs = new SimulatorOptions { IpmiBase = LoopbackAddress(parse.GetValue(ipmiBase)!), IpmiPort = port },
                    SerialPrefix = parse.GetValue(serialPrefix)!,
                    Faults = profile,
                    Timings = BootTimings.Default with { Install = TimeSpan.FromSeconds(install), Wipe = TimeSpan.FromSeconds(wipe) },
                };
                var run = new Run(context, known, parse.GetValue(site), parse.GetValue(rack), parse.GetValue(powerOnUnknown), parse.GetValue(quiet));
                using var http = connection.CreateHttp();
                return await run.ExecuteAsync(new IngotClient(http, connection.Token), options, ct);
            }, ct);
        });
        return command;
    }

    /// <summary>One run of the verb, from start to Ctrl-C.</summary>
    private sealed record Run(CliContext Context, int Known, string? Site, string? Rack, bool PowerOnUnknown, bool Quiet)
    {
        // Machines log from many threads at once; one line at a time on the output.
        private readonly Lock output = new();

        public async Task<int> ExecuteAsync(IngotClient client, FleetOptions options, CancellationToken ct)
        {
            SimulatedFleet fleet;
            try { fleet = await SimulatedFleet.StartAsync(options, ct); }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or ArgumentException)
            {
                // An address or port in use (another fleet?), or addresses past 127.255.255.254.
                await Context.Error.WriteLineAsync($"error: cannot start the simulated machines' BMCs: {e.Message} (try --ipmi-base or --ipmi-port)");
                return 1;
            }
            await using (fleet)
            {
                var registered = fleet.Machines.Take(Known).Select((m, i) => (m.Identity, fleet.IpmiEndpoints[i])).ToList();
                var import = registered.Count == 0 ? null : await FleetRegistration.RegisterAsync(client, registered, Site, Rack, ct);
                await Context.Out.WriteLineAsync(Banner(fleet, options, import));
                await Context.Out.FlushAsync(ct);
                if (!Quiet)
                    foreach (var machine in fleet.Machines) machine.Log.Written += Print;
                foreach (var machine in fleet.Machines.Skip(Known))
                {
                    // A blank machine has no OS on its disk, so its boot order reaches the network.
                    machine.Bmc.SetBoot(new BootSettings(BootDevice.Pxe));
                    if (PowerOnUnknown) machine.Bmc.Apply(PowerAction.On);
                }
                try { await Task.Delay(Timeout.Infinite, ct); }
                catch (OperationCanceledException) { /* Ctrl-C: stop below */ }
                foreach (var machine in fleet.Machines) machine.Log.Written -= Print;
                await Context.Out.WriteLineAsync(Summary(fleet));
            }
            return 0;
        }

        private void Print(MachineLogEntry entry)
        {
            lock (output) Context.Out.WriteLine(entry.ToString());
        }

        private string Banner(SimulatedFleet fleet, FleetOptions options, ImportResult? import)
        {
            var machines = fleet.Machines;
            var lines = new List<string>
            {
                $"{machines.Count} simulated machine(s) booting from {options.Server}: {Known} registered, {machines.Count - Known} unknown (to be discovered).",
            };
            if (import is not null)
            {
                lines.Add($"Registration: {import.Accepted} imported, {import.Rejected} refused.");
                lines.AddRange(import.Errors.Take(5).Select(e => $"  line {e.Line} ({e.Serial}): {e.Reason}"));
                if (import.Errors.Count > 5) lines.Add($"  … and {import.Errors.Count - 5} more.");
            }
            var assigned = options.Faults.Assign(machines.Count);
            for (var i = 0; i < machines.Count && i < ListedMachines; i++)
            {
                var m = machines[i];
                lines.Add($"  {m.Identity.Serial}  {(i < Known ? "known  " : "unknown")}  mac {m.Identity.BootMac}  {m.Identity.Firmware.ToString().ToLowerInvariant(),-6}  " +
                          $"bmc {BmcDrivers.Sim} udp://{fleet.IpmiEndpoints[i]} admin/password  faults: {FleetFaultSpec.Describe(assigned[i].Machine, assigned[i].Bmc)}");
            }
            if (machines.Count > ListedMachines)
                lines.Add($"  … to {machines[^1].Identity.Serial} at {fleet.IpmiEndpoints[^1]}; {assigned.Count(a => a != (MachineFaults.None, Ingot.Simulator.BmcFaults.None))} with faults");
            lines.Add($"Installs take {options.Timings.Install.TotalSeconds:0.#} s, wipes {options.Timings.Wipe.TotalSeconds:0.#} s. Ctrl-C stops them.");
            return string.Join(Environment.NewLine, lines);
        }

        private static string Summary(SimulatedFleet fleet)
        {
            var c = fleet.Machines.Select(m => m.Counters).ToList();
            return $"Boots {c.Sum(x => x.Boots)} ({c.Sum(x => x.NetworkBoots)} from the network); installs {c.Sum(x => x.InstallsFinished)} finished, " +
                   $"{c.Sum(x => x.InstallsFailed)} failed; wipes {c.Sum(x => x.Wipes)}; discoveries {c.Sum(x => x.Discoveries)}; " +
                   $"hung {c.Sum(x => x.Hangs)}; gave up {c.Sum(x => x.GaveUp)}.";
        }
    }

    /// <summary>Only loopback: the simulated BMCs must never answer on a real network.</summary>
    private static IPAddress LoopbackAddress(string text) =>
        IPAddress.TryParse(text, out var address) && address.GetAddressBytes() is [127, _, _, _]
            ? address : throw new UsageException($"--ipmi-base {text}: give a 127.x.y.z address.");
}
