using Npgsql;

namespace Ingot.Server.Tests.Infrastructure;

/// <summary>Which engine this test run uses. The test script runs the whole suite once per engine:
/// INGOT_TEST_ENGINE=sqlite|postgres, and INGOT_TEST_POSTGRES names the server it started for the run.
/// A run asked for PostgreSQL without a server fails loudly rather than skipping.</summary>
public static class TestDatabase
{
    public static string Engine { get; } =
        (Environment.GetEnvironmentVariable("INGOT_TEST_ENGINE") ?? "sqlite").Trim().ToLowerInvariant();

    public static bool IsPostgres => Engine == "postgres";

    /// <summary>A fresh, empty database for one server: a new PostgreSQL database on the run's cluster, or
    /// null (SQLite in the server's temporary data directory).</summary>
    public static async Task<string?> CreateAsync() => IsPostgres ? await CreatePostgresAsync() : null;

    /// <summary>A fresh PostgreSQL database whatever the run's engine, for what only PostgreSQL does (several nodes on one
    /// database). test.sh starts its PostgreSQL for every engine's run; without one this fails, it never skips.</summary>
    public static async Task<string> CreatePostgresAsync()
    {
        var admin = Environment.GetEnvironmentVariable("INGOT_TEST_POSTGRES")
            ?? throw new InvalidOperationException(
                "INGOT_TEST_POSTGRES is not set: run the tests through ./test.sh, which starts PostgreSQL.");
        var name = "ingot_t_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync(CancellationToken.None);
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ToString();
    }
}
