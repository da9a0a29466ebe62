using Ingot.Bench;

// Usage: dotnet run -c Release --project bench/Ingot.Bench -- inventory [--machines N] [--engine sqlite|postgres]
// PostgreSQL needs INGOT_BENCH_POSTGRES (bench/run.sh starts a private server and sets it).
var machines = Argument("--machines", 100_000);
var engines = ArgumentText("--engine") is { } one ? [one] : new[] { "sqlite", "postgres" };
var command = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "inventory";
if (command != "inventory")
{
    Console.Error.WriteLine($"unknown benchmark '{command}'; known: inventory");
    return 2;
}
foreach (var engine in engines)
    await InventoryBenchmark.RunAsync(engine, machines);
return 0;

int Argument(string name, int fallback) => ArgumentText(name) is { } text ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : fallback;
string? ArgumentText(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
