namespace Ingot.Server.Data;

/// <summary>The few SQL fragments that differ between the engines.</summary>
public static class Sql
{
    /// <summary>"column is one of @param", where the argument is a <see cref="List{T}"/>: one parameter whatever the
    /// number of values — an array (= ANY) on PostgreSQL, JSON text read by json_each on SQLite. (Dapper would
    /// expand a plain list into one parameter per value for SQLite, and binding by name costs time quadratic in
    /// the number of parameters.)</summary>
    public static string AnyOf(DataContext c, string column, string parameter) =>
        c.IsPostgres ? $"{column} = ANY(@{parameter})" : $"{column} IN (SELECT value FROM json_each(@{parameter}))";

    /// <summary>The argument for a parameter of <see cref="AnyOf"/>.</summary>
    public static SqlList List<T>(IEnumerable<T> values) => new(values as T[] ?? [.. values]);

    /// <summary>Row lock for a read that precedes an update in the same transaction. SQLite needs none:
    /// its write transactions (BEGIN IMMEDIATE) already exclude each other. On PostgreSQL it is FOR NO KEY UPDATE, the
    /// lock an UPDATE that keeps the key takes anyway: it excludes other writers of the row, but not the foreign-key
    /// checks of rows inserted beside it (FOR KEY SHARE). FOR UPDATE also blocked those: every installer event, boot
    /// token and step row of a job waited behind whoever held the job (issue 13's end-to-end run on PostgreSQL).</summary>
    public static string ForUpdate(DataContext c) => c.IsPostgres ? " FOR NO KEY UPDATE" : "";

    /// <summary>Row locks on the rows a claim picks, skipping rows another node holds: PostgreSQL's nodes then claim
    /// different rows without waiting. SQLite's one writer picks alone.</summary>
    public static string ForUpdateSkipLocked(DataContext c, string alias) => c.IsPostgres ? $" FOR NO KEY UPDATE OF {alias} SKIP LOCKED" : "";

    /// <summary>Tells SQLite's planner which index answers a query ("… FROM jobs" + this); PostgreSQL keeps its own
    /// statistics and gets no hint.</summary>
    public static string IndexedBy(DataContext c, string index) => c.IsPostgres ? "" : $" INDEXED BY {index}";

    /// <summary>A JSON object built by the database from (key, SQL expression) pairs, as text: for rows written by
    /// INSERT … SELECT, such as one event per job of a batch.</summary>
    public static string JsonObject(DataContext c, params (string Key, string Expression)[] fields)
    {
        var pairs = string.Join(", ", fields.Select(f => $"'{f.Key}', {f.Expression}"));
        return c.IsPostgres ? $"json_build_object({pairs})::text" : $"json_object({pairs})";
    }

    /// <summary>Makes transactions that name the same key take turns until they end (PostgreSQL: an advisory lock on the
    /// key's hash). SQLite needs nothing: its write transactions already take turns.</summary>
    public static Task TakeTurnsAsync(DataContext c, string key) =>
        c.IsPostgres ? c.ExecuteAsync("SELECT pg_advisory_xact_lock(hashtext(@key))", new { key }) : Task.CompletedTask;

    /// <summary>Locks the rows of <paramref name="table"/> with the given ids (in id order, so lockers never deadlock)
    /// against other writers of them, not against inserts that reference them (FOR NO KEY UPDATE). Returns false on
    /// SQLite, where there is nothing to lock: its write transaction already excludes every other.</summary>
    public static async Task<bool> LockRowsAsync(DataContext c, string table, long[] ids)
    {
        if (!c.IsPostgres) return false;
        await c.QueryAsync<long>($"SELECT id FROM {table} WHERE id = ANY(@ids) ORDER BY id FOR NO KEY UPDATE", new { ids });
        return true;
    }

    /// <summary>Runs <paramref name="work"/> with PostgreSQL free to use cached generic plans (the server otherwise forces
    /// custom plans, Database.PostgresSource): for statements that run one foreign-key check per row, each planned
    /// again under custom plans. Two more statements, so only worth it for many rows. SQLite just runs the work.</summary>
    public static async Task<T> WithCachedPlansAsync<T>(DataContext c, Func<Task<T>> work)
    {
        if (!c.IsPostgres) return await work();
        await c.ExecuteAsync("SET LOCAL plan_cache_mode = auto");
        var result = await work();
        await c.ExecuteAsync("SET LOCAL plan_cache_mode = force_custom_plan");
        return result;
    }
}

/// <summary>Values bound as one parameter (see <see cref="Sql.AnyOf"/>; the binding is DapperSetup's).</summary>
public sealed class SqlList(Array values)
{
    public Array Values { get; } = values;
}
