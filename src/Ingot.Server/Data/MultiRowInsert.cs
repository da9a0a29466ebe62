using System.Data.Common;
using System.Text;
using Dapper;

namespace Ingot.Server.Data;

/// <summary>Many rows per INSERT statement, for writes bound by round trips (imports, bulk job submission).</summary>
public static class MultiRowInsert
{
    /// <summary>Rows per multi-row INSERT. Binding parameters by name costs time quadratic in their number
    /// (Dapper and Microsoft.Data.Sqlite both search the collection by name), so statements stay small:
    /// enough rows to save PostgreSQL's round trips, few enough that binding stays cheap. SQLite has no
    /// round trips to save. Measured with bench/run.sh (docs/BENCHMARKS.md): on PostgreSQL 50 rows beat
    /// 1, 10, 100, 250 and 500; on SQLite 1 to 10 rows are equal and 50 is twice as slow.</summary>
    public static int RowsPerStatement(DbConnection c) => c is Npgsql.NpgsqlConnection ? 50 : 10;

    /// <param name="table">The table and its column list, e.g. "nics (machine_id, mac)".</param>
    public static async Task InsertAsync(DbConnection c, DbTransaction tx, string table, IEnumerable<object?[]> rows, int rowsPerStatement = 0)
    {
        foreach (var chunk in rows.Chunk(rowsPerStatement > 0 ? rowsPerStatement : RowsPerStatement(c) * 4))
        {
            var (values, args) = Values(c, chunk);
            await c.ExecuteAsync($"INSERT INTO {table} VALUES {values}", args, tx);
        }
    }

    /// <summary>"(@p0, @p1), (@p2, @p3)" with its parameters.</summary>
    public static (string Sql, DynamicParameters Args) Values(DbConnection c, IEnumerable<object?[]> rows)
    {
        var sql = new StringBuilder();
        var args = new DynamicParameters();
        var n = 0;
        foreach (var row in rows)
        {
            sql.Append(n == 0 ? "(" : ", (");
            for (var i = 0; i < row.Length; i++, n++)
            {
                sql.Append(i == 0 ? "" : ", ").Append("@p").Append(n);
                args.Add("p" + n, DapperSetup.Stored(c, row[i]));
            }
            sql.Append(')');
        }
        return (sql.ToString(), args);
    }
}
