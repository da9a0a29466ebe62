using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Ingot.Server.Data;

/// <summary>One piece of database work: the connection, its transaction (null outside one), the engine and the
/// cancellation token of whoever asked for it. Every statement of the server runs through here, as Dapper's
/// <see cref="CommandDefinition"/> with that token, so a client that hangs up or a node that shuts down ends its
/// query; BannedSymbols.txt keeps the token-less Dapper and ADO.NET calls out of the server. Features get one from
/// <see cref="Database"/> and pass it down; dialect switches read <see cref="Engine"/> here, inside Data/ only.</summary>
/// <remarks>On PostgreSQL, Npgsql sends a cancel request for the running statement. SQLite cannot cancel a statement
/// from outside except by <c>sqlite3_interrupt</c>, which a read context registers on its token. A write context never
/// does: it shares its transaction with the other writes of its group (<see cref="GroupCommit"/>), and an interrupted
/// write statement rolls back the whole transaction, not just its own savepoint. Writes are short and check the token
/// before each statement.</remarks>
public sealed class DataContext : IAsyncDisposable
{
    private readonly DbConnection connection;
    private readonly bool ownsConnection;
    private CancellationTokenRegistration interrupt;

    internal DataContext(DbConnection connection, DbTransaction? transaction, Engine engine, CancellationToken ct, bool ownsConnection)
    {
        this.connection = connection;
        this.ownsConnection = ownsConnection;
        Transaction = transaction;
        Engine = engine;
        Token = ct;
        if (ownsConnection && transaction is null && connection is SqliteConnection sqlite && ct.CanBeCanceled)
            interrupt = ct.Register(static state => Interrupt((SqliteConnection)state!), sqlite);
    }

    public Engine Engine { get; }

    public bool IsPostgres => Engine == Engine.Postgres;

    /// <summary>Whoever asked for this work: a request's RequestAborted, a worker's stopping token.</summary>
    public CancellationToken Token { get; }

    internal DbTransaction? Transaction { get; }

    /// <summary>For Data/ alone (the migrator's multi-statement scripts).</summary>
    internal DbConnection Connection => connection;

    private CommandDefinition Command(string sql, object? args) => new(sql, args, Transaction, cancellationToken: Token);

    public Task<IEnumerable<T>> QueryAsync<T>(string sql, object? args = null) => Guard(connection.QueryAsync<T>(Command(sql, args)));

    public Task<T> QuerySingleAsync<T>(string sql, object? args = null) => Guard(connection.QuerySingleAsync<T>(Command(sql, args)));

    public Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? args = null) => Guard(connection.QuerySingleOrDefaultAsync<T>(Command(sql, args)));

    public Task<T> QueryFirstAsync<T>(string sql, object? args = null) => Guard(connection.QueryFirstAsync<T>(Command(sql, args)));

    public Task<T?> QueryFirstOrDefaultAsync<T>(string sql, object? args = null) => Guard(connection.QueryFirstOrDefaultAsync<T>(Command(sql, args)));

    public Task<int> ExecuteAsync(string sql, object? args = null) => Guard(connection.ExecuteAsync(Command(sql, args)));

    public Task<T?> ExecuteScalarAsync<T>(string sql, object? args = null) => Guard(connection.ExecuteScalarAsync<T>(Command(sql, args)));

    /// <summary>A savepoint of this context's transaction, to roll back part of it (a CSV chunk that clashed).</summary>
    public Task SaveAsync(string savepoint) => InTransaction.SaveAsync(savepoint, Token);

    public Task ReleaseAsync(string savepoint) => InTransaction.ReleaseAsync(savepoint, Token);

    public Task RollbackToAsync(string savepoint) => InTransaction.RollbackAsync(savepoint, Token);

    private DbTransaction InTransaction => Transaction ?? throw new InvalidOperationException("Savepoints need a transaction (Database.InTransactionAsync).");

    /// <summary>An interrupted SQLite statement fails with SQLITE_INTERRUPT; the caller asked for a cancellation, so it
    /// gets one (as on PostgreSQL). Only contexts that can be interrupted pay for the wrapper.</summary>
    private Task<T> Guard<T>(Task<T> statement) => interrupt == default ? statement : Interrupted(statement);

    private async Task<T> Interrupted<T>(Task<T> statement)
    {
        try
        {
            return await statement;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteInterrupt && Token.IsCancellationRequested)
        {
            throw new OperationCanceledException("The statement was interrupted: its caller cancelled.", e, Token);
        }
    }

    private const int SqliteInterrupt = 9;

    private static void Interrupt(SqliteConnection sqlite)
    {
        // The handle is null once the connection is closed; interrupting an idle connection does nothing.
        if (sqlite.Handle is { } handle) SQLitePCL.raw.sqlite3_interrupt(handle);
    }

    public async ValueTask DisposeAsync()
    {
        // First the registration (waiting for a callback in flight), then the connection: never interrupt a pooled one.
        await interrupt.DisposeAsync();
        if (ownsConnection) await connection.DisposeAsync();
    }
}
