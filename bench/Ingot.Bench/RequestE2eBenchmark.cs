using System.Globalization;
using Ingot.Client;
using Ingot.Server.Jobs;
using Ingot.Server.SelfService;

namespace Ingot.Bench;

/// <summary>Issue 13's end-to-end figure: one provisioning request for <c>count</c> machines on a simulated fleet of
/// <c>machines</c> network-booting machines (3 sites × 20 racks, one SKU), <c>failPercent</c> of which have an installer
/// that always fails, every install taking <c>installSeconds</c>. Nothing is shortcut: the request allocates, the broker
/// runs real install jobs (IPMI to the simulated BMCs, PXE, installer callbacks), retries the failures, the machines that
/// run out of attempts are left broken and the reconciler replaces them. Server, fleet and this process are three
/// processes (JobsProcesses, BootFleet), so the server's CPU and peak RSS are its own. Baselines from the same run: the
/// install time itself, and a one-machine request on a healthy machine made first.</summary>
public static class RequestE2eBenchmark
{
    private const string Url = "http://127.0.0.1:7497";
    private const string Image = "bench-os", Role = "fancydb", Site = "lon1", BaselineSite = "sfo3";

    public static async Task RunAsync(IReadOnlyList<string> engines, int machines, int count, int installSeconds, int failPercent)
    {
        Console.WriteLine($"== request-e2e benchmark: {count:N0} machines asked of a {machines:N0}-machine simulated fleet, {failPercent} % failing, " +
                          $"{installSeconds} s install, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        var results = new List<(string Engine, List<(string Measure, string Value)> Rows)>();
        foreach (var engine in engines) results.Add((engine, await RunEngineAsync(engine, machines, count, installSeconds, failPercent)));
        Console.WriteLine();
        Console.WriteLine($"| measure | {string.Join(" | ", results.Select(r => r.Engine))} |");
        Console.WriteLine($"|---|{string.Concat(results.Select(_ => "---:|"))}");
        foreach (var (measure, i) in results[0].Rows.Select((r, i) => (r.Measure, i)))
            Console.WriteLine($"| {measure} | {string.Join(" | ", results.Select(r => r.Rows.Count > i ? r.Rows[i].Value : ""))} |");
    }

    private static async Task<List<(string, string)>> RunEngineAsync(string engine, int machines, int count, int installSeconds, int failPercent)
    {
        var data = Directory.CreateTempSubdirectory("ingot-bench-request-e2e-").FullName;
        var database = engine == "postgres" ? await InventoryBenchmark.FreshPostgresAsync("ingot_bench_request_e2e") : null;
        var postgres = database is not null;
        var token = Tokens.Generate();
        var server = await JobsProcesses.StartAsync(["jobs-server", "--data", data, "--url", Url, "--token", token, "--workers", Text(new JobOptions().Workers),
            .. database is null ? Array.Empty<string>() : ["--database", database]]);
        var client = new IngotClient(new Uri(Url + "/"), token);
        await InventoryBenchmark.CatalogAsync(client);
        await client.CreateTeamAsync(new TeamCreate("storage"));
        await client.CreateRoleAsync(new RoleCreate(Role, "storage"));
        // The wipe image too: spares no longer needed are recycled (without it their wipes fail and leave them broken).
        foreach (var (kind, name) in new[] { (ImageKind.Install, Image), (ImageKind.Discovery, "discovery"), (ImageKind.Wipe, "wipe") })
            await client.CreateImageAsync(new ImageCreate(name, kind, $"http://images.invalid/{name}/vmlinuz", $"http://images.invalid/{name}/initrd",
                DeadlineSeconds: 600));
        var fleet = await JobsProcesses.StartAsync("boot-fleet", "--server", Url, "--count", Text(machines), "--install-seconds", Text(installSeconds),
            "--fail-percent", Text(failPercent));
        Console.WriteLine($"-- {engine}: server pid {server.Id}, fleet pid {fleet.Id} ({machines:N0} machines, BMCs {BootFleet.Bmc(0).Address}–{BootFleet.Bmc(machines - 1).Address}:623)");

        // Set-up, not measured: import, then commission every machine but the baseline site's others, so that the
        // one-machine request can only take a healthy one; the rest of that site after it.
        var names = await RequestE2eFleet.ImportAsync(client, machines);
        var failing = BootFleet.Failing(machines, failPercent);
        var healthy = Enumerable.Range(0, machines).First(i => RequestE2eFleet.Site(i) == BaselineSite && !failing.Contains(i));
        var later = Enumerable.Range(0, machines).Where(i => RequestE2eFleet.Site(i) == BaselineSite && i != healthy).Select(i => names[i]).ToList();
        await RequestE2eFleet.CommissionAsync(client, [.. Enumerable.Range(0, machines).Select(i => names[i]).Except(later)]);
        var limit = RequestE2eWait.Limit(installSeconds);
        Console.WriteLine($"   imported and commissioned; baseline: a 1-machine request in {BaselineSite} (time limit {limit.TotalSeconds:F0} s)");
        var baseline = await RequestE2eWait.RunAsync(client, new RequestCreate(Role, BaselineSite, RequestE2eFleet.Sku, 1, Image), limit);
        if (!baseline.Fulfilled) throw new InvalidOperationException($"the baseline request ended {baseline.Last.Status}: {baseline.Last.ShortReason}");
        await RequestE2eFleet.CommissionAsync(client, later);
        var candidates = await RequestE2eFleet.CountAsync(client, Site, "available");
        Console.WriteLine($"   baseline fulfilled in {baseline.Seconds:F1} s; the request: {count:N0} of {candidates:N0} available in {Site}");

        var (cpu0, pg0, fleet0) = (ChildCpu.OfProcess(server.Id), postgres ? JobsProcesses.PostgresCpu() : 0, ChildCpu.OfProcess(fleet.Id));
        var peakReset = JobsProcesses.ResetPeak(server.Id);
        var run = await RequestE2eWait.RunAsync(client, new RequestCreate(Role, Site, RequestE2eFleet.Sku, count, Image), limit);
        var (cpu1, pg1, fleet1) = (ChildCpu.OfProcess(server.Id), postgres ? JobsProcesses.PostgresCpu() : 0, ChildCpu.OfProcess(fleet.Id));
        var peakKiB = JobsProcesses.PeakRssKiB(server.Id);

        // Checked two ways: the request's own lines, and a search of the inventory as any user would make it.
        var inUseLines = run.Last.Machines.Count(m => m.Status == "in_use");
        var inUseSearch = await RequestE2eFleet.CountAsync(client, Site, "in_use", Role);
        var broken = await RequestE2eFleet.CountAsync(client, Site, "broken");
        var all = await JobTimings.ListAllAsync(client);
        var index = names.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i);
        var counters = await BootFleet.StopAsync(fleet);
        await JobsProcesses.StopAsync(server);
        Directory.Delete(data, true);

        var verdict = run.Fulfilled ? "fulfilled" : run.Ended ? $"ended {run.Last.Status}: {run.Last.ShortReason}" : $"NOT fulfilled within {limit.TotalSeconds:F0} s ({run.Last.Status})";
        var rows = new List<(string, string)>
        {
            ("fleet: machines; installer always fails", F($"{machines:N0}; {failing.Count:N0} ({failPercent} %)")),
            ("the request: machines of one SKU in one site; available there", F($"{count:N0} in {Site}; {candidates:N0}")),
            ("simulated install time, 'started' → 'finished' (a failing one posts 'failed' at 60 %)", F($"{installSeconds} s")),
            ("baseline: 1-machine request on a healthy machine, POST → fulfilled (server clock)", F($"{baseline.Seconds:F1} s ({baseline.ServerSeconds:F1} s)")),
            ("request POST → 202 (allocation and install jobs)", F($"{run.PostMs:F0} ms")),
            ("**POST → fulfilled**, bench clock, 1 s polls (server clock)", F($"**{run.Seconds:F1} s** ({run.ServerSeconds:F1} s); {verdict}")),
            ("**time to fulfilled / install time** (goal ≤ 3×)", F($"**{run.Seconds / installSeconds:F2}×**")),
            ("time to fulfilled / 1-machine request", F($"{run.Seconds / baseline.Seconds:F2}×")),
            ("machines in_use / asked: request's lines; search state=in_use role=fancydb", F($"{inUseLines:N0} / {count:N0}; {inUseSearch:N0}")),
            ("replacements made (request); machines broken in the site (search)", F($"{run.Last.Replacements:N0}; {broken:N0}")),
        };
        rows.AddRange(RequestE2eJobs.Rows(run, all, index, failing));
        rows.AddRange(
        [
            ("broker defaults that set a failing machine's time", RequestE2eWait.RetryOptions()),
            // Per second too: a run that waits minutes on retries pays the reconciler's ticks, the workers' polls and
            // these GETs all along, which a small run divides among few machines.
            ("server CPU, POST → fulfilled: total / per machine asked / per second", F($"{cpu1 - cpu0:F1} s / {(cpu1 - cpu0) / count * 1000:F1} ms / {(cpu1 - cpu0) / run.Seconds:F3} cores")),
            ("PostgreSQL CPU, total / per machine asked", postgres ? F($"{pg1 - pg0:F1} s / {(pg1 - pg0) / count * 1000:F1} ms") : "(in the server)"),
            ("simulated fleet CPU (boot HTTP, installers, BMCs), total", F($"{fleet1 - fleet0:F1} s")),
            (peakReset ? "**server peak RSS during the request** (goal < 300 MiB)" : "**server peak RSS since start** (goal < 300 MiB)", F($"**{peakKiB / 1024.0:N0} MiB**")),
            ("simulated fleet's counters (whole run, baseline included)", counters),
        ]);
        foreach (var (measure, value) in rows) Console.WriteLine($"   {measure,-84} {value}");
        if (run.Last.Machines.FirstOrDefault(m => m.Status == "failed") is { } lost) Console.WriteLine($"   first machine lost: {lost.HardwareName}: {lost.Reason}");
        return rows;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
