using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Ingot.Server.Data;

/// <summary>Applies the versioned SQL scripts embedded under Data/Migrations/&lt;engine&gt;/NNNN_name.sql,
/// each in its own transaction with its version row, so a crash leaves either all of a script or none.
/// Several servers starting at once on one PostgreSQL serialise on an advisory lock.
/// (Why our own and not DbUp or FluentMigrator: docs/adr/0002-dependencies.md.)</summary>
public static class Migrator
{
    private const long PostgresLockKey = 0x1460_7_2026;

    public sealed record Script(int Version, string Name, string Sql);

    public static IReadOnlyList<Script> Scripts(Engine engine)
    {
        var assembly = typeof(Migrator).Assembly;
        var prefix = $"{assembly.GetName().Name}.Data.Migrations.{(engine == Engine.Sqlite ? "sqlite" : "postgres")}.";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                var file = n[prefix.Length..^4];
                var version = int.Parse(file.Split('_', 2)[0], System.Globalization.CultureInfo.InvariantCulture);
                using var reader = new StreamReader(assembly.GetManifestResourceStream(n)!);
                return new Script(version, file, reader.ReadToEnd());
            })
            .OrderBy(s => s.Version)
            .ToList();
    }

    /// <returns>The scripts applied by this call (none when the schema was current).</returns>
    public static async Task<IReadOnlyList<string>> MigrateAsync(Database db, ILogger? log, CancellationToken ct)
    {
        var applied = new List<string>();
        await db.InTransactionAsync(async c =>
        {
            if (db.Engine == Engine.Postgres)
                await c.ExecuteAsync("SELECT pg_advisory_xact_lock(@key)", new { key = PostgresLockKey });
            await c.ExecuteAsync(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
            var done = (await c.QueryAsync<int>("SELECT version FROM schema_migrations")).ToHashSet();
            foreach (var script in Scripts(db.Engine).Where(s => !done.Contains(s.Version)))
            {
                await Apply(c, script);
                applied.Add(script.Name);
                log?.LogInformation("Applied migration {Migration}", script.Name);
            }
            return 0;
        }, ct);
        return applied;
    }

    private static async Task Apply(DataContext c, Script script)
    {
        // A script is many statements: sent as one command text, which Dapper would not split either.
        await using (var command = c.Connection.CreateCommand())
        {
            command.Transaction = c.Transaction;
            command.CommandText = script.Sql;
            await command.ExecuteNonQueryAsync(c.Token);
        }
        await c.ExecuteAsync(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@Version, @Name, @at)",
            new { script.Version, script.Name, at = DateTimeOffset.UtcNow.ToString("O") });
    }
}
