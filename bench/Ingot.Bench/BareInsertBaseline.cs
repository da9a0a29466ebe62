using System.Diagnostics;
using System.Globalization;
using Dapper;
using Ingot.Server.Data;

namespace Ingot.Bench;

/// <summary>The floor for the import figure: the same machines and NICs written by plain parameterised
/// INSERTs in one transaction per chunk into a fresh database of the same engine — no HTTP, no CSV parsing,
/// no validation, no duplicate checks, no history or audit rows.</summary>
public static class BareInsertBaseline
{
    public static async Task<double> RunAsync(string engine, int machines)
    {
        var data = Directory.CreateTempSubdirectory("ingot-bench-base-").FullName;
        var connection = engine == "postgres" ? await InventoryBenchmark.FreshPostgresAsync("ingot_bench_base") : null;
        await using var db = Database.Open(connection, data);
        await Migrator.MigrateAsync(db, null, CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        for (var from = 0; from < machines; from += 10_000)
        {
            var to = Math.Min(machines, from + 10_000);
            await db.InTransactionAsync(async c =>
            {
                for (var i = from; i < to; i++)
                {
                    var serial = InventoryBenchmark.Serial(i);
                    var id = await c.ExecuteScalarAsync<long>(
                        """
                        INSERT INTO machines (hardware_name, serial, unit, state, bmc_driver, bmc_address, bmc_port, bmc_username, created_at, updated_at)
                        VALUES (@hw, @serial, @unit, 'new', 'ipmi', @address, 623, 'admin', @now, @now) RETURNING id
                        """,
                        new { hw = "hw-" + serial.ToLowerInvariant(), serial, unit = 1 + i % 42, address = string.Create(CultureInfo.InvariantCulture, $"10.{i >> 16 & 0xff}.{i >> 8 & 0xff}.{i & 0xff}"), now });
                    await c.ExecuteAsync("INSERT INTO nics (machine_id, mac) VALUES (@id, @mac)",
                        new[] { new { id, mac = InventoryBenchmark.Mac(i, 0) }, new { id, mac = InventoryBenchmark.Mac(i, 1) } });
                }
                return 0;
            }, CancellationToken.None);
        }
        var seconds = clock.Elapsed.TotalSeconds;
        Directory.Delete(data, true);
        return seconds;
    }
}
