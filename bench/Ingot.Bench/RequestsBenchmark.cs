using System.Diagnostics;
using Dapper;
using Ingot.Client;
using Ingot.Server.Capacity;
using Ingot.Server.Data;
using Ingot.Server.Hosting;
using Ingot.Server.SelfService;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Ingot.Bench;

/// <summary>Issue 13's decision figures: a provisioning request for 1,000 machines on a 100,000-machine inventory (its
/// 202 carries the whole allocation: candidates, rack spread, names, the conditional move, 1,000 install jobs), and one
/// reconciler pass over 500 steady pools. The server runs in-process without workers (the installs stay queued: the
/// figures are the decisions, not the installs) and with its own reconciler ticking once an hour, so the pass timed is
/// the benchmark's call. Baselines from the same run: a GET of the request just made, and 500 one-row transactions —
/// the floor a pass over 500 pools cannot go below.</summary>
public static class RequestsBenchmark
{
    private const int Pools = 500, RequestCount = 1_000;

    public static async Task RunAsync(string engine, int machines)
    {
        var data = Directory.CreateTempSubdirectory("ingot-bench-requests-").FullName;
        var database = engine == "postgres" ? await InventoryBenchmark.FreshPostgresAsync("ingot_bench_requests") : null;
        var token = Tokens.Generate();
        await using var app = await ServerHost.BuildAsync(new ServerSettings
        {
            DataDirectory = data, Database = database, Urls = ["http://127.0.0.1:7495"], AdminToken = token,
            Jobs = new Ingot.Server.Jobs.JobOptions { RunWorkers = false },
            Requests = new RequestOptions { Interval = TimeSpan.FromHours(1) },
        }, logging: _ => { });
        await app.StartAsync();
        var client = new IngotClient(new Uri("http://127.0.0.1:7495/"), token);
        await InventoryBenchmark.CatalogAsync(client);
        await client.CreateTeamAsync(new TeamCreate("storage"));
        await client.CreateRoleAsync(new RoleCreate("fancydb", "storage"));
        await client.CreateImageAsync(new ImageCreate("debian-12", ImageKind.Install, "http://images.invalid/k", "http://images.invalid/i"));
        Console.WriteLine($"== requests benchmark: {engine}, {machines:N0} machines (3 sites × 20 racks, 4 SKUs), {Environment.ProcessorCount} cores");
        for (var from = 0; from < machines; from += 10_000)
        {
            var result = await client.ImportMachinesAsync(InventoryBenchmark.Csv(from, Math.Min(machines, from + 10_000)));
            if (result.Rejected > 0) throw new InvalidOperationException($"import rejected rows: {result.Errors[0].Reason}");
        }
        // Set-up, not measured: the machines the run asks for are commissioned through the API, as an operator does by
        // hand (POST …/transitions); the rest of the 100,000 stay new. No statement of the benchmark's own writes the
        // server's tables, and no ANALYZE: the server's own statistics are what a user's server has.
        var db = app.Services.GetRequiredService<Database>();
        var wanted = new List<string>();
        foreach (var (site, sku, count) in new[] { ("lon1", "high-io-v2", int.MaxValue), ("ash2", "compute-v3", 40), ("lon1", "edge-small", 200), ("ash2", "edge-small", 200), ("sfo3", "edge-small", 200) })
        {
            string? after = null;
            var taken = 0;
            do
            {
                var page = await client.SearchMachinesAsync(new MachineQuery(Site: site, Sku: sku, State: "new", Limit: 1000, After: after));
                wanted.AddRange(page.Items.Take(count - taken).Select(m => m.HardwareName));
                taken += page.Items.Count;
                after = taken < count ? page.Next : null;
            } while (after is not null);
        }
        await Task.WhenAll(wanted.Chunk((wanted.Count + 7) / 8).Select(async chunk =>
        {
            foreach (var name in chunk) await client.TransitionAsync(name, "commission", "benchmark set-up");
        }));

        // Warm-up: one small request through the same path, then its machines back.
        var warm = await client.CreateRequestAsync(new RequestCreate("fancydb", "ash2", "compute-v3", 20, "debian-12"));
        await client.CancelRequestAsync(warm.Id);

        // The measured POST by hand, for its Server-Timing header: the decision's time apart from its writes.
        using var http = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:7495/") };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        var clock = Stopwatch.StartNew();
        using var response = await http.PostAsync("api/v1/requests", new StringContent(
            System.Text.Json.JsonSerializer.Serialize(new RequestCreate("fancydb", "lon1", "high-io-v2", RequestCount, "debian-12"), IngotJson.Options),
            System.Text.Encoding.UTF8, "application/json"));
        var request = System.Text.Json.JsonSerializer.Deserialize<RequestView>(await response.Content.ReadAsStringAsync(), IngotJson.Options)!;
        var requestMs = clock.Elapsed.TotalMilliseconds;
        var timing = ServerTiming(string.Join(", ", response.Headers.GetValues("Server-Timing")));
        if (request.Installing != RequestCount) throw new InvalidOperationException($"the request took {request.Installing} machines: {request.ShortReason}");
        var racks = request.Machines.GroupBy(m => m.Rack).Select(g => g.Count()).ToList();
        clock.Restart();
        await client.GetRequestAsync(request.Id);
        var readMs = clock.Elapsed.TotalMilliseconds;
        Report($"request for {RequestCount:N0} machines: POST → 202", $"{requestMs:F0} ms", $"GET of it after: {readMs:F0} ms; {requestMs / readMs:F1}×");
        Report("  the decision (candidates, rack spread, names)", $"{timing["decide"]:F0} ms", "goal (issue 13): allocation decision < 200 ms");
        Report("  its writes (move, history, 1,000 jobs, lines)", $"{timing["write"]:F0} ms", $"transaction {timing["commit"]:F0} ms (Server-Timing)");
        Report("  its spread", $"{racks.Count} racks, {racks.Min()}–{racks.Max()} each", "");

        // 500 pools of one machine each, steady once made (no worker runs: their members stay installing, which the
        // pass looks at like any other open member).
        for (var i = 0; i < Pools; i++)
            await client.CreatePoolAsync(new PoolCreate("fancydb", InventorySites[i % 3], "edge-small", 1, "debian-12", "{role}-p{n}-{random}.{site}.{domain}"));
        var reconciler = app.Services.GetRequiredService<RequestReconciler>();
        await reconciler.RunOnceAsync(CancellationToken.None); // warm
        clock.Restart();
        await reconciler.RunOnceAsync(CancellationToken.None);
        var passMs = clock.Elapsed.TotalMilliseconds;
        var ids = new List<long>();
        await using (var c = await db.OpenAsync(CancellationToken.None)) ids.AddRange(await c.QueryAsync<long>("SELECT id FROM provisioning_requests"));
        clock.Restart();
        foreach (var id in ids)
            await db.InTransactionAsync(c => c.ExecuteScalarAsync<long>("SELECT id FROM provisioning_requests WHERE id = @id", new { id }), CancellationToken.None);
        var floorMs = clock.Elapsed.TotalMilliseconds;
        Report($"reconciler pass over {Pools} pools (+{ids.Count - Pools} requests)", $"{passMs:F0} ms", $"{ids.Count} one-row transactions: {floorMs:F0} ms; {passMs / floorMs:F1}×; goal < 1 s");

        await app.StopAsync();
        Directory.Delete(data, true);
    }

    private static readonly string[] InventorySites = ["lon1", "ash2", "sfo3"];

    /// <summary>"decide;dur=12.3;desc=…, write;dur=…" → name → milliseconds.</summary>
    private static Dictionary<string, double> ServerTiming(string header) => header.Split(',')
        .Select(part => part.Split(';').Select(p => p.Trim()).ToArray())
        .ToDictionary(p => p[0], p => double.Parse(p.First(x => x.StartsWith("dur=", StringComparison.Ordinal))[4..], System.Globalization.CultureInfo.InvariantCulture));

    private static void Report(string what, string figure, string baseline) => Console.WriteLine($"  {what,-50} {figure,-28} {baseline}");
}
