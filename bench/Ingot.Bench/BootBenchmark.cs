using System.Data.Common;
using System.Globalization;
using System.Text;
using Ingot.Client;
using Ingot.Server.SelfService;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Ingot.Bench;

/// <summary>Issue 5's benchmark. Part 1: GET /boot/ipxe?mac=… under wrk, over the MACs of an inventory of N machines
/// (local-disk scripts), and over unknown MACs (discovery scripts, each a boot-token write), beside GET /boot/boot.ipxe
/// from the same Kestrel (static text, no database) as the ceiling. Part 2: reimage of a simulated fleet
/// (BootReimage). The server is the jobs benchmark's child process (default JobOptions: 64 workers).</summary>
public static class BootBenchmark
{
    private const string Url = "http://127.0.0.1:7495";
    private const int WarmupSeconds = 3, MeasureSeconds = 10, UnknownSeconds = 5;
    public const string Image = "bench-os";

    public static async Task RunAsync(IReadOnlyList<string> engines, int machines, int reimage, int installSeconds, int workers)
    {
        Console.WriteLine($"== boot benchmark: {machines:N0} machines for lookups, {reimage:N0} reimaged ({installSeconds} s install), " +
                          $"{workers} workers, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        var results = new List<(string Engine, List<(string Measure, string Value)> Rows)>();
        foreach (var engine in engines) results.Add((engine, await RunEngineAsync(engine, machines, reimage, installSeconds, workers)));
        Console.WriteLine();
        Console.WriteLine($"| measure | {string.Join(" | ", results.Select(r => r.Engine))} |");
        Console.WriteLine($"|---|{string.Concat(results.Select(_ => "---:|"))}");
        foreach (var (measure, i) in results[0].Rows.Select((r, i) => (r.Measure, i)))
            Console.WriteLine($"| {measure} | {string.Join(" | ", results.Select(r => r.Rows.Count > i ? r.Rows[i].Value : ""))} |");
    }

    private static async Task<List<(string, string)>> RunEngineAsync(string engine, int machines, int reimage, int installSeconds, int workers)
    {
        var data = Directory.CreateTempSubdirectory("ingot-bench-boot-").FullName;
        var database = engine == "postgres" ? await InventoryBenchmark.FreshPostgresAsync("ingot_bench_boot") : null;
        var token = Tokens.Generate();
        var server = await JobsProcesses.StartAsync(["jobs-server", "--data", data, "--url", Url, "--token", token, "--workers", Text(workers),
            .. database is null ? Array.Empty<string>() : ["--database", database]]);
        var client = new IngotClient(new Uri(Url + "/"), token);
        Console.WriteLine($"-- {engine}: server pid {server.Id}");
        foreach (var (kind, name) in new[] { (ImageKind.Install, Image), (ImageKind.Discovery, "discovery") })
            await client.CreateImageAsync(new ImageCreate(name, kind, $"http://images.invalid/{name}/vmlinuz", $"http://images.invalid/{name}/initrd",
                DeadlineSeconds: 600));
        await ImportAsync(client, machines);
        await InUseAsync(database ?? Path.Combine(data, "ingot.db"), database is not null);

        // Every path is checked once before wrk hammers it: wrk counts non-2xx answers but never reads a body.
        var known = Enumerable.Range(0, machines).Select(KnownPath).ToList();
        var unknown = Enumerable.Range(0, 10_000).Select(UnknownPath).ToList();
        await ExpectAsync(known[0], "# ingot: local (in_use)"); // machine id 1
        await ExpectAsync(known[9], "# ingot: local (new)");    // machine id 10
        await ExpectAsync(unknown[^1], "# ingot: discover");
        await ExpectAsync("/boot/boot.ipxe", "# ingot: bootstrap");

        Console.WriteLine($"   wrk -t{BootWrk.Threads} -c{BootWrk.Connections}: {WarmupSeconds} s warm-up each, then {MeasureSeconds} s (unknown MACs {UnknownSeconds} s)");
        await BootWrk.RunAsync(Url, ["/boot/boot.ipxe"], WarmupSeconds, server.Id, database is not null);
        var staticRun = await BootWrk.RunAsync(Url, ["/boot/boot.ipxe"], MeasureSeconds, server.Id, database is not null);
        await BootWrk.RunAsync(Url, known, WarmupSeconds, server.Id, database is not null);
        var knownRun = await BootWrk.RunAsync(Url, known, MeasureSeconds, server.Id, database is not null);
        var unknownRun = await BootWrk.RunAsync(Url, unknown, UnknownSeconds, server.Id, database is not null);
        var rows = new List<(string, string)>
        {
            Row("static `GET /boot/boot.ipxe` (baseline)", staticRun),
            Row($"`GET /boot/ipxe?mac=` known MAC → local ({machines:N0} machines, 90% in_use)", knownRun),
            ("**boot-script rps / static rps**", F($"**{knownRun.Rps / staticRun.Rps:F2}**")),
            ("boot-script p99 / static p99", F($"{knownRun.P99Ms / staticRun.P99Ms:F1}×")),
            Row("`GET /boot/ipxe?mac=` unknown MAC → discover (token INSERT)", unknownRun),
            ("unknown-MAC rps / static rps", F($"{unknownRun.Rps / staticRun.Rps:F2}")),
        };
        foreach (var (measure, value) in rows) Console.WriteLine($"   {measure,-72} {value}");

        var fleet = await JobsProcesses.StartAsync("boot-fleet", "--server", Url, "--count", Text(reimage), "--install-seconds", Text(installSeconds));
        Console.WriteLine($"   fleet pid {fleet.Id}: {reimage:N0} machines, BMCs from {BootFleet.Base}:623");
        var result = await BootReimage.RunAsync(client, server, fleet, Image, reimage, installSeconds, database is not null, workers);
        rows.AddRange(result.Rows);
        rows.Add(("simulated fleet's counters", result.FleetCounters));
        await JobsProcesses.StopAsync(server);
        Directory.Delete(data, true);
        return rows;
    }

    private static (string, string) Row(string what, WrkResult r) => (what, F(
        $"{r.Rps:N0} req/s; p50 {r.P50Ms:F2} / p99 {r.P99Ms:F2} ms (max {r.MaxMs:F0}); server CPU {r.ServerCpu / r.Seconds:F2} cores, wrk {r.WrkCpu / r.Seconds:F2}{(r.PostgresCpu > 0 ? $", PostgreSQL {r.PostgresCpu / r.Seconds:F2}" : "")}; {r.Requests:N0} req, errors {r.Errors}, non-2xx {r.Non2xx}"));

    /// <summary>What iPXE's chain line sends (docs/boot.md), less the uuid; platforms alternate as in a mixed fleet.</summary>
    private static string KnownPath(int i) =>
        $"/boot/ipxe?mac={InventoryBenchmark.Mac(i, 0)}&serial={InventoryBenchmark.Serial(i)}&arch=x86_64&platform={(i % 2 == 0 ? "efi" : "pcbios")}";

    /// <summary>02:ee:… is in no inventory here (the known machines are 02:b0:…, the fleet's hash-derived).</summary>
    private static string UnknownPath(int i) =>
        $"/boot/ipxe?mac=02:ee:{(i >> 16) & 0xff:x2}:{(i >> 8) & 0xff:x2}:{i & 0xff:x2}:00&arch=x86_64&platform=efi";

    private static async Task ExpectAsync(string path, string line)
    {
        using var http = new HttpClient();
        var body = await http.GetStringAsync(Url + path);
        if (!body.Contains(line, StringComparison.Ordinal)) throw new InvalidOperationException($"GET {path} did not answer '{line}':\n{body}");
    }

    /// <summary>The machines the lookups find: two NICs each, no BMC (a boot lookup never reads it).</summary>
    private static async Task ImportAsync(IngotClient client, int count)
    {
        for (var from = 0; from < count; from += 10_000)
        {
            var csv = new StringBuilder("serial,macs\n");
            for (var i = from; i < Math.Min(count, from + 10_000); i++)
                csv.Append(CultureInfo.InvariantCulture, $"{InventoryBenchmark.Serial(i)},{InventoryBenchmark.Mac(i, 0)} {InventoryBenchmark.Mac(i, 1)}\n");
            var result = await client.ImportMachinesAsync(csv.ToString());
            if (result.Rejected > 0) throw new InvalidOperationException($"import rejected rows: {result.Errors[0].Reason}");
        }
    }

    /// <summary>Set-up shortcut, not measured: nine machines in ten go to in_use in one SQL statement (through the
    /// lifecycle API it would be 4 transitions × N requests); the tenth stay new. Either way the script is local.</summary>
    private static async Task InUseAsync(string target, bool postgres)
    {
        await using DbConnection c = postgres ? new NpgsqlConnection(target) : new SqliteConnection($"Data Source={target}");
        await c.OpenAsync(CancellationToken.None);
        await using var command = c.CreateCommand();
        command.CommandText = "UPDATE machines SET state = 'in_use' WHERE id % 10 <> 0";
        await command.ExecuteNonQueryAsync();
        command.CommandText = "ANALYZE"; // fresh statistics for the MAC lookup's plan
        await command.ExecuteNonQueryAsync();
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
