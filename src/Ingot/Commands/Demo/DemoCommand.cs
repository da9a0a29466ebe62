using System.CommandLine;
using Ingot.Client;
using Ingot.Commands.Serve;
using Ingot.Server.Hosting;
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
        var command = new Command("demo", "Run a server on SQLite with a sample inventory, ready to try.");
        command.Options.Add(data);
        command.Options.Add(url);
        command.Options.Add(machines);
        command.SetAction(async (parse, ct) =>
        {
            var settings = ServeCommand.Settings(context, parse.GetValue(data), [parse.GetValue(url)!], database: null);
            await using var app = await ServerHost.BuildAsync(settings, logging: l => { }, ct: ct);
            await app.StartAsync(ct);
            var token = settings.AdminToken ?? (await File.ReadAllTextAsync(Path.Combine(settings.DataDirectory, "admin-token"), ct)).Trim();
            var client = new IngotClient(new Uri(settings.Urls[0].TrimEnd('/') + "/"), token);
            if (await SampleInventory.IsEmptyAsync(client, ct))
            {
                await context.Out.WriteLineAsync($"Loading the sample inventory ({parse.GetValue(machines)} machines)…");
                await SampleInventory.LoadAsync(client, parse.GetValue(machines), ct);
            }
            var fresh = (await client.SearchMachinesAsync(new MachineQuery(State: "new", Limit: 1), ct)).Items.FirstOrDefault();
            var inUse = (await client.SearchMachinesAsync(new MachineQuery(State: "in_use", Limit: 1), ct)).Items.FirstOrDefault();
            await context.Out.WriteLineAsync(Banner(settings.Urls[0], token, Path.GetFullPath(settings.DataDirectory),
                inUse?.Hostname ?? inUse?.HardwareName ?? "1", fresh?.HardwareName ?? "1"));
            try { await Task.Delay(Timeout.Infinite, ct); }
            catch (OperationCanceledException) { /* Ctrl-C: stop below */ }
            await app.StopAsync(CancellationToken.None);
            return 0;
        });
        return command;
    }

    private static string Banner(string url, string token, string data, string inUse, string fresh) =>
        $"""

        Ingot is running at {url}  (data: {data}; Ctrl-C stops it)
        Admin token: {token}

        Try, in another terminal:
          export INGOT_URL={url} INGOT_TOKEN={token}
          dotnet run --project src/Ingot -- machines list --site lon1 --state available --limit 10
          dotnet run --project src/Ingot -- machines show {inUse}
          dotnet run --project src/Ingot -- machines transition {fresh} commission --reason "racked and cabled"

        API: {url}/api/v1/machines (Authorization: Bearer <token>), OpenAPI: {url}/openapi/v1.json
        """;
}
