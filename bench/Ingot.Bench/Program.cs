using Ingot.Bench;

// Usage: dotnet run -c Release --project bench/Ingot.Bench -- inventory [--machines N] [--engine sqlite|postgres]
//        dotnet run -c Release --project bench/Ingot.Bench -- jobs [--jobs 10000] [--workers 64] [--submitters 4] [--engine sqlite|postgres]
//        dotnet run -c Release --project bench/Ingot.Bench -- ipmi [--sim-ops 2000] [--fleet-ops 5000] [--ipmitool-ops 300] [--pyghmi-ops 1000]
//        dotnet run -c Release --project bench/Ingot.Bench -- batches [--batches 720] [--hosts 100] [--clients 8] [--engine sqlite|postgres]
//        dotnet run -c Release --project bench/Ingot.Bench -- boot [--machines 10000] [--reimage 1000] [--install-seconds 20] [--workers 64] [--engine sqlite|postgres]
//        dotnet run -c Release --project bench/Ingot.Bench -- requests [--machines 100000] [--engine sqlite|postgres]
//        dotnet run -c Release --project bench/Ingot.Bench -- request-e2e [--machines 10000] [--count 1000] [--install-seconds 20] [--fail-percent 10] [--engine sqlite|postgres]
//        dotnet run -c Release --project bench/Ingot.Bench -- events-fanout [--jobs 10000] [--subscribers 50] [--workers 64] [--split] [--engine sqlite|postgres]
//        dotnet run -c Release --project bench/Ingot.Bench -- bmc-sweep [--bmcs 10000] [--engine sqlite|postgres]
//        dotnet run -c Release --project bench/Ingot.Bench -- job-stats [--jobs 1000000] [--engine sqlite|postgres]
//        dotnet run -c Release --project bench/Ingot.Bench -- portal [--machines 100000] [--engine sqlite|postgres]
// PostgreSQL needs INGOT_BENCH_POSTGRES (bench/run.sh starts a private server and sets it); ipmi needs root (UDP 623).
var machines = Argument("--machines", 100_000);
var engines = ArgumentText("--engine") is { } one ? [one] : new[] { "sqlite", "postgres" };
var command = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "inventory";
switch (command)
{
    case "ipmi":
        await IpmiBenchmark.RunAsync(Argument("--sim-ops", 2_000), Argument("--fleet-ops", 5_000), Argument("--ipmitool-ops", 300), Argument("--pyghmi-ops", 1_000));
        return 0;
    case "ipmi-fleet": // internal: the simulated BMCs the ipmi benchmark measures, in their own process
        await IpmiBenchmark.ServeFleetAsync(Argument("--count", 1_000));
        return 0;
    case "jobs":
        await JobsBenchmark.RunAsync(engines, Argument("--jobs", 10_000), Argument("--workers", new Ingot.Server.Jobs.JobOptions().Workers), Argument("--submitters", 4));
        return 0;
    case "jobs-fleet": // internal: the jobs benchmark's simulated BMCs, in their own process
        await JobsProcesses.ServeFleetAsync(Argument("--count", 10_000));
        return 0;
    case "jobs-server": // internal: the jobs (and batches) benchmark's server and workers, in their own process
        await JobsProcesses.ServeServerAsync(ArgumentText("--data")!, ArgumentText("--database"), ArgumentText("--url")!, ArgumentText("--token")!, Argument("--workers", 64),
            runWorkers: ArgumentText("--run-workers") is not { } run || bool.Parse(run), deliver: ArgumentText("--deliver") is not { } d || bool.Parse(d),
            secretKey: Environment.GetEnvironmentVariable("INGOT_SECRET_KEY"));
        return 0;
    case "batches":
        await BatchesBenchmark.RunAsync(engines, Argument("--batches", 720), Argument("--hosts", 100), Argument("--clients", 8));
        return 0;
    case "boot":
        await BootBenchmark.RunAsync(engines, Argument("--machines", 10_000), Argument("--reimage", 1_000), Argument("--install-seconds", 20),
            Argument("--workers", new Ingot.Server.Jobs.JobOptions().Workers));
        return 0;
    case "boot-fleet": // internal: the boot benchmark's network-booting simulated machines, in their own process
        await BootFleet.ServeAsync(new Uri(ArgumentText("--server")!), Argument("--count", 1_000), Argument("--install-seconds", 20), Argument("--fail-percent", 0));
        return 0;
    case "requests":
        foreach (var engine in engines) await RequestsBenchmark.RunAsync(engine, machines);
        return 0;
    case "request-e2e":
        await RequestE2eBenchmark.RunAsync(engines, Argument("--machines", 10_000), Argument("--count", 1_000), Argument("--install-seconds", 20),
            Argument("--fail-percent", 10));
        return 0;
    case "events-fanout":
        await FanoutBenchmark.RunAsync(engines, Argument("--jobs", 10_000), Argument("--subscribers", 50), Argument("--workers", 64), args.Contains("--split"));
        return 0;
    case "portal":
        await PortalBenchmark.RunAsync(engines, Argument("--machines", 100_000));
        return 0;
    case "bmc-sweep":
        await BmcSweepBenchmark.RunAsync(engines, Argument("--bmcs", 10_000));
        return 0;
    case "job-stats":
        await JobStatsBenchmark.RunAsync(engines, Argument("--jobs", 1_000_000));
        return 0;
    case not "inventory":
        Console.Error.WriteLine($"unknown benchmark '{command}'; known: inventory, ipmi, jobs, batches, boot, requests, request-e2e, events-fanout, bmc-sweep, job-stats, portal");
        return 2;
}
foreach (var engine in engines)
    await InventoryBenchmark.RunAsync(engine, machines);
return 0;

int Argument(string name, int fallback) => ArgumentText(name) is { } text ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : fallback;
string? ArgumentText(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
