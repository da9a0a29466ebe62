using System.Data.Common;
using Npgsql;

namespace Ingot.Server.Data;

/// <summary>The few SQL fragments that differ between the engines.</summary>
public static class Sql
{
    /// <summary>"column is one of @param": Dapper passes a list to Npgsql as one array parameter (which
    /// needs = ANY) but expands it into (@p1, @p2, …) for SQLite (which needs IN). Pass an array.</summary>
    public static string AnyOf(DbConnection c, string column, string parameter) =>
        c is NpgsqlConnection ? $"{column} = ANY(@{parameter})" : $"{column} IN @{parameter}";

    /// <summary>Row lock for a read that precedes an update in the same transaction. SQLite needs none:
    /// its write transactions (BEGIN IMMEDIATE) already exclude each other.</summary>
    public static string ForUpdate(DbConnection c) => c is NpgsqlConnection ? " FOR UPDATE" : "";
}
