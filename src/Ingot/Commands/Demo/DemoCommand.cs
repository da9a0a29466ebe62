using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using Ingot.Client;
using Ingot.Commands.Serve;
using Ingot.Server.Api;
using Ingot.Server.Hosting;
using Ingot.Simulator.Machines;
using Microsoft.AspNetCore.Builder;

namespace Ingot.Commands.Demo;

/// <summary>`ingot demo`: the README's first command. Serves on SQLite in ./.ingot-demo, loads the sample inventory
/// on first start and the sample images when missing, simulates the inventory's machines (each with its BMC, booting
/// from the server over HTTP) and a few unknown ones, and prints the URL, the admin token and commands to try.</summary>
public static class DemoCommand
{
    /// <summary>The team the demo's triage tickets are routed to.</summary>
    public const string DcOps = "dc-ops";

    public static Command Create(CliContext context)
    {
        var data = new Option<string>("--data") { Description = "Data directory of the demo. Default ./.ingot-demo", DefaultValueFactory = _ => ".ingot-demo" };
        var url = new Option<string>("--url") { Description = "Address to listen on. Default http://127.0.0.1:7420", DefaultValueFactory = _ => "http://127.0.0.1:7420" };
        var machines = new Option<int>("--machines") { Description = "Machines in the sample inventory (first start only). Default 300", DefaultValueFactory = _ => 300 };
        var bmcBase = new Option<string>("--bmc-base") { Description = $"First simulated BMC's address (127.x.y.z); the others follow. Default {SampleBmcs.DefaultBase}", DefaultValueFactory = _ => SampleBmcs.DefaultBase };
        var bmcPort = new Option<int>("--bmc-port") { Description = $"UDP port of every simulated BMC (0: a free one each). Default {SampleBmcs.DefaultPort}", DefaultValueFactory = _ => SampleBmcs.DefaultPort };
        var noBmcs = new Option<bool>("--no-bmcs") { Description = "Start no simulated BMCs (the machines' BMCs are still recorded, and do not answer)." };
        // Only loopback: the simulated BMCs must never answer on a real network.
        bmcBase.Validators.Add(r =>
        {
            if (!(IPAddress.TryParse(r.GetValueOrDefault<string>(), out var a) && a.GetAddressBytes() is [127, _, _, _])) r.AddError("--bmc-base: give a 127.x.y.z address.");
        });
        bmcPort.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 0 or > IPEndPoint.MaxPort) r.AddError("--bmc-port is from 0 to 65535."); });
        var installSeconds = new Option<double>("--install-seconds") { Description = "How long a simulated machine takes to install an image, or to wipe its disks. Default 8", DefaultValueFactory = _ => 8 };
        var unknown = new Option<int>("--unknown") { Description = "Machines in no inventory, powered on with a one-time PXE boot so the server discovers them. Default 3", DefaultValueFactory = _ => 3 };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Do not print what the simulated machines do." };
        installSeconds.Validators.Add(r => { if (r.GetValueOrDefault<double>() is < 0 or > 3600) r.AddError("--install-seconds is from 0 to 3600."); });
        unknown.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 0 or > 1000) r.AddError("--unknown is from 0 to 1000."); });
        var command = new Command("demo", "Run a server on SQLite with a sample fleet of simulated machines that network-boot from it, ready to try.")
            { data, url, machines, bmcBase, bmcPort, noBmcs, installSeconds, unknown, quiet };
        command.SetAction(async (parse, ct) =>
        {
            // The demo's server reads the same settings as 'ingot serve' (INGOT_* variables), its data and URL from its flags.
            if (!ServeCommand.TryRead(context, new Dictionary<string, string?> { ["data"] = parse.GetValue(data), ["urls"] = parse.GetValue(url) },
                    null, out var settings, out _))
                return UsageException.ExitCode;
            // Every simulated BMC has the same administrator, as a fleet provisions one account for discovery: given to
            // the server, a discovered unknown machine gets commissioned at once (unless the environment chose others).
            if (!settings.DiscoveryBmc.IsSet)
                settings = settings with { DiscoveryBmc = new(SampleBmcs.Account.Name, SampleBmcs.Account.Password, settings.DiscoveryBmc.Networks) };
            // The simulated BMCs live on loopback (127.1.x.y): the only network the demo gives its discovery credentials to.
            if (settings.DiscoveryBmc.Networks is not { Count: > 0 })
                settings = settings with { DiscoveryBmc = settings.DiscoveryBmc with { Networks = [System.Net.IPNetwork.Parse("127.0.0.0/8")] } };
            // Triage tickets go to a data-centre team the demo makes (docs/tickets.md), unless the environment routes them.
            if (settings.Tickets.Routes.Count == 0)
                settings = settings with { Tickets = settings.Tickets with { Routes = new Dictionary<string, string> { ["*"] = DcOps } } };
            await using var app = await ServeCommand.TryBuildAsync(context, settings, l => { }, ct);
            if (app is null || !await ServeCommand.TryStartAsync(context, app, settings, ct)) return Failures.ServerError;
            var token = settings.AdminToken ?? (await File.ReadAllTextAsync(Path.Combine(settings.DataDirectory, "admin-token"), ct)).Trim();
            var server = new Uri(settings.Urls[0].TrimEnd('/') + "/");
            var client = new IngotClient(server, token);
            var empty = await SampleInventory.IsEmptyAsync(client, ct);
            if (!(await client.ListTeamsAsync(ct)).Any(t => t.Name == DcOps)) await client.CreateTeamAsync(new TeamCreate(DcOps), ct);
            // Before any machine boots, so the first reimage, recycle or discovery finds its image.
            await SampleImages.SeedAsync(client, ct);
            // A machine for every machine there is: the sample's on first start, whatever the inventory holds on a
            // restart, each behind the BMC address its record names (BmcSeats).
            var inventory = empty ? [] : await SampleInventory.MachinesAsync(client, ct);
            var unknownMachines = parse.GetValue(noBmcs) ? [] : DemoFleet.Unknown(parse.GetValue(unknown));
            var first = IPAddress.Parse(parse.GetValue(bmcBase)!);
            var sample = parse.GetValue(machines);
            var seats = empty ? null : BmcSeats.Plan(first, inventory, unknownMachines);
            var options = SampleBmcs.Options(first, parse.GetValue(bmcPort), seats is null ? Math.Max(sample + unknownMachines.Count, 1) : BmcSeats.Count(seats));
            var timings = BootTimings.Default with { Install = TimeSpan.FromSeconds(parse.GetValue(installSeconds)), Wipe = TimeSpan.FromSeconds(parse.GetValue(installSeconds)) };
            DemoFleet? fleet = null;
            try
            {
                if (!parse.GetValue(noBmcs))
                    fleet = await DemoFleet.StartAsync(options, server, timings, ct);
            }
            catch (Exception e) when (e is SocketException or ArgumentException)
            {
                // Taken (another demo?) or past 127.255.255.254: say so rather than serve BMCs that do not answer.
                await context.Error.WriteLineAsync($"error: cannot start the simulated BMCs: {e.Message} (try --bmc-base, --bmc-port or --no-bmcs)");
                await app.StopAsync(CancellationToken.None);
                return 1;
            }
            // Disposed after the server stops (below), on every way out: the server first, so no job of it acts on
            // machines that are going away; then the machines, then their BMCs.
            await using var stopsTheFleet = fleet;
            if (empty)
            {
                await context.Out.WriteLineAsync($"Loading the sample inventory ({sample} machines)…");
                await SampleInventory.LoadAsync(client, sample, fleet is null ? SampleBmcs.Planned(options) : [.. fleet.Endpoints.Take(sample)], ct);
                inventory = await SampleInventory.MachinesAsync(client, ct);
            }
            if (fleet is not null)
            {
                seats ??= BmcSeats.Plan(first, inventory, unknownMachines);
                await SampleBmcs.RegisterAsync(client, seats, fleet.Endpoints, ct);
                fleet.Boot(seats);
            }
            var failing = fleet is null ? null : await SampleRequest.RigAsync(client, fleet, ct);
            var pool = fleet is null ? null : await SampleRequest.PoolCommandAsync(client, "", SampleImages.Install, ct);
            await context.Out.WriteLineAsync((await BannerAsync(client, settings, token, fleet, parse.GetValue(quiet), ct) with
            {
                Failing = failing, Pool = pool?.TrimStart(),
            }).ToString());
            if (fleet is not null)
            {
                if (!parse.GetValue(quiet)) fleet.Follow(Printer(context));
                fleet.DiscoverUnknown(); // after the banner, so their lines follow it
            }
            try { await Task.Delay(Timeout.Infinite, ct); }
            catch (OperationCanceledException) { /* Ctrl-C: stop below */ }
            await app.StopAsync(CancellationToken.None);
            return 0;
        });
        return command;
    }

    /// <summary>The banner, naming sample machines in the states its commands need.</summary>
    private static async Task<DemoBanner> BannerAsync(IngotClient client, ServerSettings settings, string token, DemoFleet? fleet, bool quiet, CancellationToken ct)
    {
        var fresh = (await client.SearchMachinesAsync(new MachineQuery(State: "new", Limit: 1), ct)).Items.FirstOrDefault();
        var running = (await client.SearchMachinesAsync(new MachineQuery(State: "in_use", Maintenance: false, Limit: 2), ct)).Items;
        static string Name(MachineView? m) => m?.Hostname ?? m?.HardwareName ?? "1";
        var inUse = running.FirstOrDefault();
        var member = await SampleMember.EnsureAsync(client, settings.DataDirectory, ct);
        return new DemoBanner(settings.Urls[0], token, Path.GetFullPath(settings.DataDirectory), Name(inUse), Name(running.ElementAtOrDefault(1) ?? inUse),
            fresh?.HardwareName ?? "1", SampleBmcs.Describe(fleet), fleet is null ? null : inUse?.Bmc, fleet, quiet, member);
    }

    /// <summary>Prints a machine's log line; machines write from many threads, so one line at a time.</summary>
    private static Action<MachineLogEntry> Printer(CliContext context)
    {
        var gate = new Lock();
        return entry => { lock (gate) context.Out.WriteLine(entry.ToString()); };
    }
}
