using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using Ingot.Client;
using Ingot.Commands.Serve;
using Ingot.Server.Hosting;
using Ingot.Simulator.Ipmi;
using Microsoft.AspNetCore.Builder;

namespace Ingot.Commands.Demo;

/// <summary>`ingot demo`: the README's first command. Serves on SQLite in ./.ingot-demo, loads the
/// sample inventory on first start, and prints the URL, the admin token and commands to try.</summary>
public static class DemoCommand
{
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
        var command = new Command("demo", "Run a server on SQLite with a sample inventory and a simulated BMC per machine, ready to try.")
            { data, url, machines, bmcBase, bmcPort, noBmcs };
        command.SetAction(async (parse, ct) =>
        {
            var settings = ServeCommand.Settings(context, parse.GetValue(data), [parse.GetValue(url)!], database: null);
            await using var app = await ServerHost.BuildAsync(settings, logging: l => { }, ct: ct);
            await app.StartAsync(ct);
            var token = settings.AdminToken ?? (await File.ReadAllTextAsync(Path.Combine(settings.DataDirectory, "admin-token"), ct)).Trim();
            var client = new IngotClient(new Uri(settings.Urls[0].TrimEnd('/') + "/"), token);
            var empty = await SampleInventory.IsEmptyAsync(client, ct);
            // A BMC for every machine there is: the sample's on first start, whatever the inventory holds on a restart.
            var count = empty ? parse.GetValue(machines) : (int)((await client.SearchMachinesAsync(new MachineQuery(Count: true, Limit: 1), ct)).Total ?? 0);
            var options = SampleBmcs.Options(IPAddress.Parse(parse.GetValue(bmcBase)!), parse.GetValue(bmcPort), Math.Max(count, 1));
            SimulatorFleet? fleet = null;
            try
            {
                if (!parse.GetValue(noBmcs)) fleet = await IpmiFleet.StartAsync(options, ct);
            }
            catch (Exception e) when (e is SocketException or ArgumentException)
            {
                // Taken (another demo?) or past 127.255.255.254: say so rather than serve BMCs that do not answer.
                await context.Error.WriteLineAsync($"error: cannot start the simulated BMCs: {e.Message} (try --bmc-base, --bmc-port or --no-bmcs)");
                await app.StopAsync(CancellationToken.None);
                return 1;
            }
            await using var stopsTheFleet = fleet; // after the server stops (below), on every way out
            if (empty)
            {
                await context.Out.WriteLineAsync($"Loading the sample inventory ({count} machines)…");
                await SampleInventory.LoadAsync(client, count, fleet?.IpmiEndpoints ?? SampleBmcs.Planned(options), ct);
            }
            if (fleet is not null) await SampleBmcs.RegisterAsync(client, fleet.IpmiEndpoints, ct);
            var fresh = (await client.SearchMachinesAsync(new MachineQuery(State: "new", Limit: 1), ct)).Items.FirstOrDefault();
            var inUse = (await client.SearchMachinesAsync(new MachineQuery(State: "in_use", Maintenance: false, Limit: 1), ct)).Items.FirstOrDefault();
            await context.Out.WriteLineAsync(Banner(settings.Urls[0], token, Path.GetFullPath(settings.DataDirectory),
                inUse?.Hostname ?? inUse?.HardwareName ?? "1", fresh?.HardwareName ?? "1",
                SampleBmcs.Describe(fleet), fleet is null ? null : inUse?.Bmc));
            try { await Task.Delay(Timeout.Infinite, ct); }
            catch (OperationCanceledException) { /* Ctrl-C: stop below */ }
            await app.StopAsync(CancellationToken.None);
            return 0;
        });
        return command;
    }

    private static string Banner(string url, string token, string data, string inUse, string fresh, string bmcs, BmcView? inUseBmc) =>
        $"""

        Ingot is running at {url}  (data: {data}; Ctrl-C stops it)
        Admin token: {token}
        {bmcs}

        Try, in another terminal:
          export INGOT_URL={url} INGOT_TOKEN={token}
          dotnet run --project src/Ingot -- machines list --site lon1 --state available --limit 10
          dotnet run --project src/Ingot -- machines show {inUse}
          dotnet run --project src/Ingot -- machines transition {fresh} commission --reason "racked and cabled"{BmcExample(inUseBmc)}{PowerExample(inUse, inUseBmc)}

        API: {url}/api/v1/machines (Authorization: Bearer <token>), OpenAPI: {url}/openapi/v1.json
        """;

    /// <summary>A power cycle as a job through the broker, which drives the machine's simulated BMC.</summary>
    private static string PowerExample(string machine, BmcView? bmc) => bmc is null ? "" :
        $"{Environment.NewLine}  dotnet run --project src/Ingot -- power cycle {machine} --wait";

    /// <summary>The shown machine's own BMC, reached directly; the password comes from the environment, as `bmc` wants.</summary>
    private static string BmcExample(BmcView? bmc) => bmc is null ? "" :
        $"{Environment.NewLine}  {Ingot.Commands.Bmc.BmcOptions.PasswordVariable}={SampleBmcs.Account.Password} dotnet run --project src/Ingot -- bmc power status --driver {bmc.Driver} --host {bmc.Address} --port {bmc.Port} --user {bmc.Username}";
}
