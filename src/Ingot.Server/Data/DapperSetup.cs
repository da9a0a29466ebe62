using System.Data;
using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using Ingot.Server.Api;

namespace Ingot.Server.Data;

/// <summary>Teaches Dapper the one type the two engines store differently: time. PostgreSQL keeps
/// timestamptz; SQLite keeps fixed-width ISO-8601 UTC text, so that comparing text compares time.</summary>
public static class DapperSetup
{
    private static int registered;

    public static void EnsureRegistered()
    {
        if (Interlocked.Exchange(ref registered, 1) == 1) return;
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        // Dapper binds the types it knows natively (DateTimeOffset among them) without asking a handler, so a
        // DateTimeOffset in an anonymous parameter object reached SQLite as "2026-11-22 07:17:41.3+00:00": not the
        // stored form, and not comparable with it. Removing the native mapping makes Dapper use TimeHandler everywhere.
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset));
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset?));
        SqlMapper.AddTypeHandler(new TimeHandler());
        SqlMapper.AddTypeHandler(typeof(SqlList), new ListHandler());
    }

    public static string SqliteText(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>A time as the engine stores it, for parameters Dapper sees only as <c>object</c> (it applies
    /// type handlers by declared type, so a boxed DateTimeOffset would bypass <see cref="TimeHandler"/>).</summary>
    public static object? Stored(DataContext c, object? value) => value switch
    {
        DateTimeOffset time when !c.IsPostgres => SqliteText(time),
        DateTimeOffset time => time.ToUniversalTime(),
        _ => value,
    };

    /// <summary>A <see cref="SqlList"/> is one parameter: the array itself for Npgsql, JSON text for SQLite's json_each.</summary>
    private sealed class ListHandler : SqlMapper.ITypeHandler
    {
        public void SetValue(IDbDataParameter parameter, object value)
        {
            var values = ((SqlList)value).Values;
            if (parameter is SqliteParameter)
            {
                parameter.DbType = DbType.String;
                parameter.Value = System.Text.Json.JsonSerializer.Serialize(values, values.GetType());
            }
            else
            {
                parameter.Value = values;
            }
        }

        public object Parse(Type destinationType, object value) => throw new NotSupportedException("A list is a parameter, never a column.");
    }

    private sealed class TimeHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value)
        {
            if (parameter is SqliteParameter)
            {
                parameter.DbType = DbType.String;
                parameter.Value = SqliteText(value);
            }
            else
            {
                parameter.Value = value.ToUniversalTime();
            }
        }

        public override DateTimeOffset Parse(object value) => value switch
        {
            DateTimeOffset d => d,
            DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
            string s => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            _ => throw new DataException($"Cannot read a time from {value.GetType().Name}."),
        };
    }
}
