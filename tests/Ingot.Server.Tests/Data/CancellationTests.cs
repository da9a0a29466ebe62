using System.Diagnostics;
using Ingot.Server.Data;
using Ingot.Server.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Ingot.Server.Tests.Data;

/// <summary>Every statement carries its caller's token (Data/DataContext): a read whose caller gives up stops in the
/// database — PostgreSQL cancels it, SQLite interrupts it — and does not run to its end.</summary>
public sealed class CancellationTests : IAsyncLifetime
{
    private TestServer server = null!;

    public async Task InitializeAsync() => server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await server.DisposeAsync();

    /// <summary>Minutes of work for either engine, unless it is stopped.</summary>
    private static string SlowQuery => TestDatabase.IsPostgres
        ? "SELECT CAST(pg_sleep(120) AS TEXT) IS NULL"
        : "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000000000) SELECT COUNT(*) > 0 FROM n";

    [Fact]
    public async Task A_read_whose_caller_gives_up_stops_in_the_database()
    {
        var db = server.Services.GetRequiredService<Database>();
        using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var clock = Stopwatch.StartNew();
        await using var c = await db.OpenAsync(giveUp.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => c.ExecuteScalarAsync<bool>(SlowQuery));

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        if (TestDatabase.IsPostgres) await UntilGoneAsync("pg_sleep(120)");
    }

    [Fact]
    public async Task A_client_that_hangs_up_ends_its_query_on_PostgreSQL()
    {
        if (!TestDatabase.IsPostgres) return; // SQLite: the test above (its reads are interrupted the same way)
        await using var held = await MachinesLock.TakeAsync(server.Database);

        using var http = server.Http();
        using var hangUp = new CancellationTokenSource();
        var request = http.GetAsync("api/v1/machines", hangUp.Token);
        await UntilAsync(async () => await WaitingOnMachinesAsync() > 0, "the list to wait for the lock");
        await hangUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);

        // The lock is still held: the query did not end because it could finish, but because its client went away.
        await UntilAsync(async () => await WaitingOnMachinesAsync() == 0, "the server's query to end after the client hung up");
    }

    [Fact]
    public async Task Stopping_the_server_ends_the_reads_in_flight_at_once()
    {
        if (!TestDatabase.IsPostgres) return; // needs a read held in the database by another session's lock
        var stopping = await TestServer.StartAsync();
        await using var held = await MachinesLock.TakeAsync(stopping.Database);
        using var http = stopping.Http();
        var request = http.GetAsync("api/v1/machines");
        await UntilAsync(async () => await WaitingOnMachinesAsync(stopping.Database) > 0, "the list to wait for the lock");

        var clock = Stopwatch.StartNew();
        await stopping.DisposeAsync();

        // The host's shutdown timeout is 30 s; a read that held the stop would take all of it.
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        Assert.Equal(0, await WaitingOnMachinesAsync(stopping.Database));
        try { using var response = await request; Assert.False(response.IsSuccessStatusCode); }
        catch (HttpRequestException) { /* the connection was closed without an answer: also not a success */ }
    }

    [Fact]
    public async Task On_SQLite_an_interrupted_read_leaves_the_connection_usable()
    {
        if (TestDatabase.IsPostgres) return;
        var db = server.Services.GetRequiredService<Database>();
        for (var i = 0; i < 3; i++)
        {
            using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            await using var c = await db.OpenAsync(giveUp.Token);
            var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => c.ExecuteScalarAsync<bool>(SlowQuery));
            Assert.IsType<SqliteException>(error.InnerException);
        }
        // Pooled connections that were interrupted answer the next caller normally.
        await using var after = await db.OpenAsync(CancellationToken.None);
        Assert.Equal(1, await after.ExecuteScalarAsync<int>("SELECT 1"));
    }

    /// <summary>Another session's lock on the machines table, held until disposed: reads of machines wait for it.</summary>
    private sealed class MachinesLock(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public static async Task<MachinesLock> TakeAsync(string? database)
        {
            var connection = new NpgsqlConnection(database);
            await connection.OpenAsync(CancellationToken.None);
            var transaction = await connection.BeginTransactionAsync(CancellationToken.None);
            await using (var take = new NpgsqlCommand("LOCK TABLE machines IN ACCESS EXCLUSIVE MODE", connection, transaction))
                await take.ExecuteNonQueryAsync(CancellationToken.None);
            return new MachinesLock(connection, transaction);
        }

        public async ValueTask DisposeAsync()
        {
            await transaction.RollbackAsync(CancellationToken.None);
            await connection.DisposeAsync();
        }
    }

    /// <summary>Sessions of the server's database whose statement waits for a lock on a relation.</summary>
    private Task<long> WaitingOnMachinesAsync() => WaitingOnMachinesAsync(server.Database);

    private static Task<long> WaitingOnMachinesAsync(string? database) =>
        ActiveAsync(database, "wait_event_type = 'Lock' AND query LIKE '%FROM machines%'");

    private Task UntilGoneAsync(string text) =>
        UntilAsync(async () => await ActiveAsync(server.Database, $"query LIKE '%{text}%'") == 0, $"'{text}' to leave pg_stat_activity");

    /// <summary>Other sessions of <paramref name="database"/> running a statement that matches <paramref name="condition"/>.</summary>
    private static async Task<long> ActiveAsync(string? database, string condition)
    {
        var builder = new NpgsqlConnectionStringBuilder(database);
        await using var c = new NpgsqlConnection(builder.ToString());
        await c.OpenAsync(CancellationToken.None);
        await using var command = new NpgsqlCommand(
            $"SELECT COUNT(*) FROM pg_stat_activity WHERE datname = @db AND state = 'active' AND pid <> pg_backend_pid() AND {condition}", c);
        command.Parameters.AddWithValue("db", builder.Database!);
        return (long)(await command.ExecuteScalarAsync(CancellationToken.None))!;
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"waited 10 s for {what}");
            await Task.Delay(50);
        }
    }
}
