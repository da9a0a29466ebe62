using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Ingot.Client;
using Ingot.Server.SelfService;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Ingot.Bench;

/// <summary>Issue 14's fan-out: a batch of N power_cycle jobs (ending within a minute or so) with no subscriber, then the
/// same batch again, then with S webhook subscriptions to job.succeeded and job.failed, each a URL of a real HTTP receiver
/// in this process. The server (workers, deliveries) and the simulated BMCs are child processes. Figures: every delivery
/// made, event → delivery latency (the receiver's clock minus the event's commit time, one machine), and the batch's
/// throughput with subscribers against the two runs without (the second says what noise is). With <c>split</c>
/// (PostgreSQL): a second node that only delivers (no workers), and the cores split — the worker node and the BMCs on
/// core 0, the delivery node and the receiver on core 1, in every run — so what is left of the effect is what the
/// deliveries cost the jobs through the database, not through a shared core.</summary>
public static class FanoutBenchmark
{
    private const string Url = "http://127.0.0.1:7497";
    private const string ReceiverUrl = "http://127.0.0.1:7498";
    private const string DelivererUrl = "http://127.0.0.1:7499";

    /// <param name="workers">The server's job workers: 64 (its default) ends 10,000 power cycles here in 15–20 s; fewer
    /// pace the batch to the issue's load, 10,000 jobs ending within a minute.</param>
    public static async Task RunAsync(IReadOnlyList<string> engines, int jobs, int subscribers, int workers, bool split)
    {
        Console.WriteLine($"== events fan-out benchmark: {jobs:N0} jobs, {subscribers} webhook subscribers, {workers} workers, {Environment.ProcessorCount} cores{(split ? ", split: a delivery node on its own core" : "")}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        if (split && (engines.Contains("sqlite") || Environment.ProcessorCount < 2))
            throw new ArgumentException("--split needs --engine postgres (SQLite is one node) and two cores.");
        if (split && !OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("--split pins processes to cores: Linux only.");
        foreach (var engine in engines) await RunEngineAsync(engine, jobs, subscribers, workers, split);
    }

    private static async Task RunEngineAsync(string engine, int jobs, int subscribers, int workers, bool split)
    {
        var received = new ConcurrentBag<(int Subscriber, long Event, double LatencyMs)>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(ReceiverUrl);
        await using var receiver = builder.Build();
        receiver.MapPost("/hook/{n:int}", async (int n, HttpContext http) =>
        {
            using var doc = await JsonDocument.ParseAsync(http.Request.Body);
            var at = doc.RootElement.GetProperty("at").GetDateTimeOffset();
            received.Add((n, doc.RootElement.GetProperty("id").GetInt64(), (DateTimeOffset.UtcNow - at).TotalMilliseconds));
            return Results.Ok();
        });
        await receiver.StartAsync();

        var data = Directory.CreateTempSubdirectory("ingot-bench-fanout-").FullName;
        var database = engine == "postgres" ? await InventoryBenchmark.FreshPostgresAsync("ingot_bench_fanout") : null;
        var token = Tokens.Generate();
        // Nodes of one database share one secret key (a start with another is refused): the children inherit it.
        Environment.SetEnvironmentVariable("INGOT_SECRET_KEY", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        var fleet = await JobsProcesses.StartAsync("jobs-fleet", "--count", Text(jobs));
        string[] store = database is null ? [] : ["--database", database];
        var server = await JobsProcesses.StartAsync(["jobs-server", "--data", data, "--url", Url, "--token", token, "--workers", Text(workers),
            .. store, .. split ? ["--deliver", "false"] : Array.Empty<string>()]);
        var deliverer = split
            ? await JobsProcesses.StartAsync(["jobs-server", "--data", data + "-deliverer", "--url", DelivererUrl, "--token", token, "--run-workers", "false", .. store])
            : null;
        if (split && OperatingSystem.IsLinux())
        {
            fleet.ProcessorAffinity = server.ProcessorAffinity = 1;
            deliverer!.ProcessorAffinity = Process.GetCurrentProcess().ProcessorAffinity = 2;
        }
        var client = new IngotClient(new Uri(Url + "/"), token);
        var machines = await JobsBenchmark.ImportAsync(client, jobs);
        Console.WriteLine($"-- {engine}: {machines.Count:N0} machines; warm-up batch of 200");
        await BatchAsync(client, machines.Take(200).ToList());

        var quiet1 = await BatchAsync(client, machines);
        var quiet2 = await BatchAsync(client, machines);
        for (var i = 0; i < subscribers; i++)
            await client.CreateSubscriptionAsync(new SubscriptionCreate($"bench-{i}", "webhook", $"{ReceiverUrl}/hook/{i}", ["job.succeeded", "job.failed"]));
        var cpu0 = ChildCpu.OfProcess(server.Id) + (deliverer is null ? 0 : ChildCpu.OfProcess(deliverer.Id));
        var busy = await BatchAsync(client, machines);
        var expected = (long)jobs * subscribers;
        var wait = Stopwatch.StartNew();
        while (received.Count < expected && wait.Elapsed < TimeSpan.FromMinutes(10)) await Task.Delay(100);
        var drained = busy.Seconds + wait.Elapsed.TotalSeconds;
        var cpu1 = ChildCpu.OfProcess(server.Id) + (deliverer is null ? 0 : ChildCpu.OfProcess(deliverer.Id));
        var latencies = JobTimings.Sorted(received.Select(r => r.LatencyMs));
        var distinct = received.Select(r => (r.Subscriber, r.Event)).Distinct().Count();
        await JobsProcesses.StopAsync(server);
        if (deliverer is not null) await JobsProcesses.StopAsync(deliverer);
        await JobsProcesses.StopAsync(fleet);
        Directory.Delete(data, true);
        if (Directory.Exists(data + "-deliverer")) Directory.Delete(data + "-deliverer", true); // on PostgreSQL with a given key it may hold nothing

        var noise = Math.Abs(quiet1.Seconds - quiet2.Seconds) / Math.Min(quiet1.Seconds, quiet2.Seconds);
        var rows = new (string, string)[]
        {
            ("batch without subscribers, accepted → completed (run 1 / run 2)", F($"{quiet1.Seconds:F1} s / {quiet2.Seconds:F1} s = {jobs / quiet1.Seconds:N0} / {jobs / quiet2.Seconds:N0} jobs/s (runs differ by {noise:P0})")),
            ($"batch with {subscribers} subscribers, accepted → completed", F($"{busy.Seconds:F1} s = {jobs / busy.Seconds:N0} jobs/s")),
            ("**throughput with subscribers / without (mean of the two)**", F($"**{(quiet1.Seconds + quiet2.Seconds) / 2 / busy.Seconds:F2}×**")),
            ("deliveries expected / received / distinct (subscriber, event)", F($"{expected:N0} / {received.Count:N0} / {distinct:N0}")),
            ("batch accepted → last delivery", F($"{drained:F1} s = {received.Count / drained:N0} deliveries/s")),
            ("**event → delivery, p50 / p99 / max**", latencies.Length == 0 ? "none" : F($"**{JobTimings.Percentile(latencies, 0.5):N0} / {JobTimings.Percentile(latencies, 0.99):N0} ms** / {latencies[^1]:N0} ms")),
            (split ? "server CPU (both nodes) for the batch and its deliveries, per delivery" : "server CPU for the batch and its deliveries, per delivery", F($"{(cpu1 - cpu0) / Math.Max(1, received.Count) * 1000:F2} ms ({cpu1 - cpu0:F1} s)")),
        };
        foreach (var (measure, value) in rows) Console.WriteLine($"   {measure,-72} {value}");
    }

    /// <summary>A batch of one power_cycle per machine, to its end: seconds from the POST to the batch's end.</summary>
    private static async Task<(double Seconds, long Id)> BatchAsync(IngotClient client, IReadOnlyList<string> machines)
    {
        var clock = Stopwatch.StartNew();
        var batch = await client.SubmitBatchAsync(new BatchSubmit(JobActions.PowerCycle, [.. machines]));
        while ((batch = await client.GetBatchAsync(batch.Id)).EndedAt is null) await Task.Delay(100);
        return (clock.Elapsed.TotalSeconds, batch.Id);
    }

    private static string Text(int n) => n.ToString(CultureInfo.InvariantCulture);
    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
