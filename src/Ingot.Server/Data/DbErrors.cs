using Microsoft.Data.Sqlite;
using Npgsql;
using Ingot.Server.Api;

namespace Ingot.Server.Data;

/// <summary>Recognises constraint violations of either engine, so features can answer 409 with a
/// sentence instead of leaking a driver error.</summary>
public static class DbErrors
{
    public static bool IsUniqueViolation(Exception e) => e switch
    {
        SqliteException s => s.SqliteErrorCode == 19 && s.SqliteExtendedErrorCode is 2067 or 1555,
        PostgresException p => p.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };

    public static bool IsForeignKeyViolation(Exception e) => e switch
    {
        SqliteException s => s.SqliteErrorCode == 19 && s.SqliteExtendedErrorCode == 787,
        PostgresException p => p.SqlState == PostgresErrorCodes.ForeignKeyViolation,
        _ => false,
    };

    /// <summary>The constraint or index a PostgreSQL violation names, or SQLite's message ("UNIQUE
    /// constraint failed: nics.mac"), to tell which of several unique columns clashed.</summary>
    public static string Constraint(Exception e) => e switch
    {
        PostgresException p => p.ConstraintName ?? p.MessageText,
        _ => e.Message,
    };
}
