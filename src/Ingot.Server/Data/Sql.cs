using System.Data.Common;
using Npgsql;

namespace Ingot.Server.Data;

/// <summary>The few SQL fragments that differ between the engines.</summary>
public static class Sql
{
    /// <summary>"column is one of @param", where the argument is a <see cref="List{T}"/>: one parameter whatever the
    /// number of values — an array (= ANY) on PostgreSQL, JSON text read by json_each on SQLite. (Dapper would
    /// expand a plain list into one parameter per value for SQLite, and binding by name costs time quadratic in
    /// the number of parameters.)</summary>
    public static string AnyOf(DbConnection c, string column, string parameter) =>
        c is NpgsqlConnection ? $"{column} = ANY(@{parameter})" : $"{column} IN (SELECT value FROM json_each(@{parameter}))";

    /// <summary>The argument for a parameter of <see cref="AnyOf"/>.</summary>
    public static SqlList List<T>(IEnumerable<T> values) => new(values as T[] ?? [.. values]);

    /// <summary>Row lock for a read that precedes an update in the same transaction. SQLite needs none:
    /// its write transactions (BEGIN IMMEDIATE) already exclude each other.</summary>
    public static string ForUpdate(DbConnection c) => c is NpgsqlConnection ? " FOR UPDATE" : "";
}

/// <summary>Values bound as one parameter (see <see cref="Sql.AnyOf"/>; the binding is DapperSetup's).</summary>
public sealed class SqlList(Array values)
{
    public Array Values { get; } = values;
}
