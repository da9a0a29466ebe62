using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Api;
using Ingot.Server.Hosting;
using Ingot.Server.SelfService;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Ingot.Bench;

/// <summary>Issue 2's benchmark: import N machines through the CSV endpoint, then time filtered, paged
/// searches and free-text searches over HTTP. Each figure is set beside a baseline measured in the same
/// run: import against a bare multi-row INSERT of the same rows into the same engine (what validation
/// and the API cost), searches against GET /healthz on the same server (what HTTP alone costs).</summary>
public static class InventoryBenchmark
{
    private static readonly string[] Sites = ["lon1", "ash2", "sfo3"];
    private static readonly string[] Skus = ["high-io-v2", "compute-v3", "gpu-a100", "edge-small"];
    private const int ImportChunk = 10_000, Queries = 1_000;

    public static async Task RunAsync(string engine, int machines)
    {
        var data = Directory.CreateTempSubdirectory("ingot-bench-").FullName;
        var database = engine == "postgres" ? await FreshPostgresAsync("ingot_bench") : null;
        var token = Tokens.Generate();
        await using var app = await ServerHost.BuildAsync(new ServerSettings
        {
            DataDirectory = data, Database = database, Urls = ["http://127.0.0.1:7491"], AdminToken = token,
        }, logging: _ => { });
        await app.StartAsync();
        var client = new IngotClient(new Uri("http://127.0.0.1:7491/"), token);
        await CatalogAsync(client);

        Console.WriteLine($"== inventory benchmark: {engine}, {machines:N0} machines, {Environment.ProcessorCount} cores");
        var importSeconds = await ImportAsync(client, machines);
        await MarkAvailableAsync(app.Services.GetRequiredService<Database>());
        var baselineSeconds = await BareInsertBaseline.RunAsync(engine, machines);
        Report("import (CSV over HTTP)", $"{machines / importSeconds:N0} rows/s",
            $"bare INSERT {machines / baselineSeconds:N0} rows/s; ratio {importSeconds / baselineSeconds:N2}x the bare time");

        var random = new Random(7);
        var health = await Latency.MeasureAsync(Queries, _ => client.HealthAsync());
        var filtered = await Latency.MeasureAsync(Queries, async i =>
        {
            var after = random.Next(machines) is var a && i % 2 == 0 ? a.ToString(CultureInfo.InvariantCulture) : null;
            var page = await client.SearchMachinesAsync(new MachineQuery(Site: Sites[i % 3], State: "available", Sku: Skus[i % 4], Limit: 100, After: after));
            if (after is null && page.Items.Count < 100) throw new InvalidOperationException("filtered search returned a short first page");
        });
        var freeText = await Latency.MeasureAsync(Queries, async i =>
        {
            var q = Serial(random.Next(machines))[..8].ToLowerInvariant();
            var page = await client.SearchMachinesAsync(new MachineQuery(Q: q, Limit: 100));
            if (page.Items.Count == 0) throw new InvalidOperationException($"q={q} found nothing");
        });
        var broad = await Latency.MeasureAsync(Queries, async i =>
        {
            // Four characters of a serial match about a thousand machines: a full page out of a large union.
            var q = Serial(random.Next(machines))[..5];
            var page = await client.SearchMachinesAsync(new MachineQuery(Q: q, Limit: 100));
            if (page.Items.Count == 0) throw new InvalidOperationException($"q={q} found nothing");
        });
        Report("GET /healthz (baseline)", health.Describe(), "");
        Report("search site+state+sku, page of 100", filtered.Describe(), $"p99 {filtered.P99 / health.P99:N1}x healthz p99");
        Report("search q= (8-char serial prefix: ~1 hit)", freeText.Describe(), $"p99 {freeText.P99 / health.P99:N1}x healthz p99");
        Report("search q= (5-char prefix: ~1,000 hits), page 100", broad.Describe(), $"p99 {broad.P99 / health.P99:N1}x healthz p99");
        await app.StopAsync();
        Directory.Delete(data, true);
    }

    private static void Report(string what, string figure, string baseline) =>
        Console.WriteLine($"  {what,-42} {figure,-34} {baseline}");

    internal static async Task CatalogAsync(IngotClient client)
    {
        foreach (var site in Sites)
        {
            await client.CreateSiteAsync(new SiteCreate(site));
            for (var r = 1; r <= 20; r++) await client.CreateRackAsync(new RackCreate(site, $"r{r:00}"));
        }
        foreach (var sku in Skus) await client.CreateSkuAsync(new SkuCreate(sku, 64, 512, 4, 1920, 2));
    }

    public static string Serial(int i) => $"BN{i * 7919 % 100_000_000:D8}X{i:D6}";

    public static string Mac(int i, int nic) => $"02:b0:{(i >> 16) & 0xff:x2}:{(i >> 8) & 0xff:x2}:{i & 0xff:x2}:{nic:x2}";

    /// <summary>The rows an operator would import; every machine has two NICs and a BMC with credentials.</summary>
    public static string Csv(int from, int to)
    {
        var csv = new StringBuilder("serial,site,rack,unit,sku,macs,bmc_driver,bmc_address,bmc_username,bmc_password\n");
        for (var i = from; i < to; i++)
            csv.Append(CultureInfo.InvariantCulture,
                $"{Serial(i)},{Sites[i % 3]},r{1 + i / 3 % 20:00},{1 + i % 42},{Skus[i % 4]},{Mac(i, 0)} {Mac(i, 1)},ipmi,10.{i >> 16 & 0xff}.{i >> 8 & 0xff}.{i & 0xff},admin,pw\n");
        return csv.ToString();
    }

    private static async Task<double> ImportAsync(IngotClient client, int machines)
    {
        var clock = Stopwatch.StartNew();
        for (var from = 0; from < machines; from += ImportChunk)
        {
            var result = await client.ImportMachinesAsync(Csv(from, Math.Min(machines, from + ImportChunk)));
            if (result.Rejected > 0) throw new InvalidOperationException($"import rejected rows: {result.Errors[0].Reason}");
        }
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>Set-up, not measured: four machines in five become 'available' (the state the filtered search
    /// asks for) in one statement, as commissioning them one by one through the API would take minutes.</summary>
    private static async Task MarkAvailableAsync(Database db)
    {
        await using var c = await db.OpenAsync(CancellationToken.None);
        await c.ExecuteAsync("UPDATE machines SET state = 'available' WHERE id % 5 <> 0");
        await c.ExecuteAsync(db.Engine == Engine.Postgres ? "ANALYZE" : "ANALYZE; PRAGMA optimize;");
    }

    public static async Task<string> FreshPostgresAsync(string name)
    {
        var admin = Environment.GetEnvironmentVariable("INGOT_BENCH_POSTGRES")
            ?? throw new InvalidOperationException("INGOT_BENCH_POSTGRES is not set: run bench/run.sh, which starts PostgreSQL.");
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync(CancellationToken.None);
        await using (var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection)) await drop.ExecuteNonQueryAsync();
        await using (var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection)) await create.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ToString();
    }
}
