using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Ingot.Server.Api;
using Npgsql;

namespace Ingot.Server.Data;

public enum Engine { Sqlite, Postgres }

/// <summary>The one store of the server: SQLite (a file in the data directory) or PostgreSQL. Features get a
/// <see cref="DataContext"/> here (a read, a transaction, a single write) and write their own SQL through it.</summary>
public sealed class Database : IAsyncDisposable
{
    private readonly string connectionString;
    private readonly NpgsqlDataSource? postgres;

    private readonly GroupCommit? sqliteWrites;
    private FileStream? soleUse;

    private Database(Engine engine, string connectionString)
    {
        Engine = engine;
        this.connectionString = connectionString;
        if (engine == Engine.Postgres)
            postgres = PostgresSource(connectionString);
        else
            sqliteWrites = new GroupCommit(async ct => (SqliteConnection)await ConnectAsync(ct));
    }

    public Engine Engine { get; }

    /// <summary>Statements run thousands of times (the broker's claim, step and lease updates) are prepared once per
    /// connection instead of parsed on every run: Npgsql prepares a statement after its second use, up to 64 per
    /// connection. A connection string that sets its own Max Auto Prepare keeps it. Plans stay custom (planned with each
    /// run's values): a prepared statement otherwise switches to a generic plan after five runs, and one made while
    /// the jobs table was small kept scanning it whole once it held 85,000 rows (found by bench/run.sh batches).</summary>
    private static NpgsqlDataSource PostgresSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
            builder.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
            if (string.IsNullOrEmpty(builder.ConnectionStringBuilder.Options))
                builder.ConnectionStringBuilder.Options = "-c plan_cache_mode=force_custom_plan";
        }
        // No JIT unless the connection string asks for it: PostgreSQL compiles a query whose estimated cost is high, and
        // an estimate is high whenever statistics lag behind a bulk change; the job statistics right after a fold had
        // emptied a million-job backlog took 3.0 s, of which 2.98 s compiling, for 60 ms of work. Ingot's statements are
        // short and indexed, where compiling never pays.
        var options = builder.ConnectionStringBuilder.Options ?? "";
        if (!options.Contains("jit", StringComparison.OrdinalIgnoreCase)) builder.ConnectionStringBuilder.Options = (options + " -c jit=off").Trim();
        // A connection returned to the pool is not reset (RESET ALL, advisory unlocks, … — four statements per open, and a
        // request opens several): Ingot sets no session state, and its advisory locks are transaction-scoped.
        if (!connectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase)) builder.ConnectionStringBuilder.NoResetOnClose = true;
        return builder.Build();
    }

    /// <summary>Where the data lives, for start-up messages; never includes a password.</summary>
    public string Describe()
    {
        if (Engine == Engine.Sqlite)
            return "SQLite " + new SqliteConnectionStringBuilder(connectionString).DataSource;
        var pg = new NpgsqlConnectionStringBuilder(connectionString);
        return $"PostgreSQL {pg.Host}:{pg.Port}/{pg.Database}";
    }

    /// <param name="connection">A PostgreSQL connection string ("Host=…"), a "postgres://" URL, or null for
    /// SQLite at <paramref name="dataDirectory"/>/ingot.db.</param>
    public static Database Open(string? connection, string dataDirectory)
    {
        DapperSetup.EnsureRegistered();
        if (string.IsNullOrWhiteSpace(connection))
        {
            PrivateFiles.CreateDirectory(dataDirectory);
            var file = Path.Combine(dataDirectory, "ingot.db");
            PrivateFiles.Restrict(file);
            return Sqlite(file);
        }
        if (connection.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
            return Sqlite(connection["sqlite:".Length..]);
        if (connection.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || connection.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            return new Database(Engine.Postgres, FromUrl(new Uri(connection)));
        return new Database(Engine.Postgres, connection);
    }

    private static Database Sqlite(string path)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            // Microsoft.Data.Sqlite retries a busy database for up to this many seconds before failing.
            DefaultTimeout = 30,
        };
        return new Database(Engine.Sqlite, builder.ToString());
    }

    private static string FromUrl(Uri url)
    {
        var userInfo = url.UserInfo.Split(':', 2);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = url.Host,
            Port = url.IsDefaultPort || url.Port <= 0 ? 5432 : url.Port,
            Database = url.AbsolutePath.Trim('/') is { Length: > 0 } db ? Uri.UnescapeDataString(db) : "postgres",
            Username = userInfo.Length > 0 && userInfo[0].Length > 0 ? Uri.UnescapeDataString(userInfo[0]) : null,
            Password = userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : null,
        };
        return builder.ToString();
    }

    /// <summary>A context of its own connection, for reads (and single statements that need no group): dispose it.
    /// On SQLite its token interrupts a running statement.</summary>
    public async Task<DataContext> OpenAsync(CancellationToken ct) =>
        new(await ConnectAsync(ct), null, Engine, ct, ownsConnection: true);

    private async Task<DbConnection> ConnectAsync(CancellationToken ct)
    {
        if (postgres is not null)
            return await postgres.OpenConnectionAsync(ct);

        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var pragma = connection.CreateCommand();
        // WAL: readers never block the writer and the writer never blocks readers (persistent, but cheap
        // to repeat). foreign_keys is per connection and off by default in SQLite. busy_timeout makes a
        // second writer wait for the lock instead of failing at once. synchronous stays FULL (the
        // default) because a committed job or state change must survive a power loss.
        pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;";
        await pragma.ExecuteNonQueryAsync(ct);
        return connection;
    }

    /// <summary>Runs <paramref name="work"/> in one transaction, committed when it returns; if it throws, nothing of it
    /// is committed. On SQLite, writes take turns and commit in groups (<see cref="GroupCommit"/>): the work runs in a
    /// savepoint of a transaction shared with the writes queued beside it, and this returns once that commit is done.</summary>
    public async Task<T> InTransactionAsync<T>(Func<DataContext, Task<T>> work, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (sqliteWrites is not null) return await sqliteWrites.RunAsync((c, tx) => work(new DataContext(c, tx, Engine, ct, ownsConnection: false)), ct);
        await using var connection = await ConnectAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        var result = await work(new DataContext(connection, transaction, Engine, ct, ownsConnection: false));
        await transaction.CommitAsync(ct);
        return result;
    }

    /// <summary>A write of one statement: on PostgreSQL without a transaction of its own, on SQLite in a group like
    /// <see cref="InTransactionAsync{T}"/>.</summary>
    public async Task<T> WriteAsync<T>(Func<DataContext, Task<T>> work, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (sqliteWrites is not null) return await sqliteWrites.RunAsync((c, tx) => work(new DataContext(c, tx, Engine, ct, ownsConnection: false)), ct);
        await using var context = new DataContext(await ConnectAsync(ct), null, Engine, ct, ownsConnection: true);
        return await work(context);
    }

    /// <summary>Whether this process holds the database alone (<see cref="HoldAlone"/>): then no other node can hold a
    /// lease in it, and leases it finds at start are a previous process's, which is gone.</summary>
    public bool HeldAlone => soleUse is not null;

    /// <summary>SQLite is one node by design (DESIGN.md §4.2): two servers on one file would each run the other's jobs. So
    /// a SQLite server holds an exclusive lock on <c>FILE.lock</c> beside the database for as long as it runs: a second
    /// process on the same file is refused at start, and a process that dies (kill -9 included) loses the lock with it, so
    /// there is no stale pid file to clear. The lock is an advisory <c>flock</c> (.NET's FileShare.None on Unix), honoured
    /// by every Ingot process (unless DOTNET_SYSTEM_IO_DISABLEFILELOCKING is set). Nothing on PostgreSQL, where any number
    /// of nodes share the database.</summary>
    /// <exception cref="DatabaseInUseException">Another process (or another server in this one) holds the file.</exception>
    public void HoldAlone()
    {
        if (Engine != Engine.Sqlite || soleUse is not null) return;
        var file = new SqliteConnectionStringBuilder(connectionString).DataSource;
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            soleUse = new FileStream(file + ".lock", options);
        }
        catch (IOException e) when (e is not (DirectoryNotFoundException or FileNotFoundException or PathTooLongException))
        {
            throw new DatabaseInUseException(file, e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (postgres is not null) await postgres.DisposeAsync();
        if (soleUse is not null) await soleUse.DisposeAsync();
        soleUse = null;
    }
}

/// <summary>Another process already serves this SQLite database (<see cref="Database.HoldAlone"/>).</summary>
public sealed class DatabaseInUseException(string file, Exception inner)
    : Exception($"the SQLite database {file} is in use by another Ingot server (SQLite is for one node; run several on PostgreSQL)", inner);
