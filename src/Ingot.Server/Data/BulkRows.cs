using System.Text;
using System.Text.Json;
using Dapper;
using Ingot.Server.Api;

namespace Ingot.Server.Data;

/// <summary>Many rows as a table to select from, bound as arrays: <c>unnest</c> of one array per column on
/// PostgreSQL, <c>json_each</c> of one JSON array of rows on SQLite. An INSERT … SELECT over it writes any number of
/// rows in one statement with a fixed text (prepared once, no per-row parameters to bind by name), which is what
/// makes a 10,000-host batch one statement per table instead of hundreds (docs/BENCHMARKS.md, batches).</summary>
/// <remarks>The source has the given columns and <c>n</c>, each row's 0-based position.</remarks>
public sealed class BulkRows
{
    private readonly (string Name, Array Values)[] columns;

    /// <param name="columns">Equal-length arrays of long, long?, int, int?, string or byte[] values.</param>
    public BulkRows(params (string Name, Array Values)[] columns)
    {
        if (columns.Length == 0 || columns.Any(col => col.Values.Length != columns[0].Values.Length))
            throw new ArgumentException("Bulk rows need at least one column, all of one length.", nameof(columns));
        this.columns = columns;
    }

    public int Count => columns[0].Values.Length;

    /// <summary>"(SELECT … ) AS alias", its parameters added to <paramref name="args"/> under <paramref name="alias"/>.</summary>
    public string From(DataContext c, string alias, DynamicParameters args)
    {
        var names = string.Join(", ", columns.Select(col => col.Name));
        if (c.IsPostgres)
        {
            for (var i = 0; i < columns.Length; i++) args.Add($"{alias}_{i}", columns[i].Values);
            var arrays = string.Join(", ", columns.Select((_, i) => $"@{alias}_{i}"));
            return $"(SELECT {names}, n1 - 1 AS n FROM unnest({arrays}) WITH ORDINALITY AS u({names}, n1)) AS {alias}";
        }
        args.Add(alias, Json());
        // JSON has no bytes: a byte[] column travels as hex and is turned back into a blob here.
        var fields = string.Join(", ", columns.Select((col, i) => col.Values is byte[][] ? $"unhex(value ->> {i}) AS {col.Name}" : $"value ->> {i} AS {col.Name}"));
        return $"(SELECT {fields}, key AS n FROM json_each(@{alias})) AS {alias}";
    }

    /// <summary>[[row 0's values], [row 1's values], …]</summary>
    private string Json()
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            for (var row = 0; row < Count; row++)
            {
                json.WriteStartArray();
                foreach (var (_, values) in columns)
                    switch (values.GetValue(row))
                    {
                        case null: json.WriteNullValue(); break;
                        case string s: json.WriteStringValue(s); break;
                        case long l: json.WriteNumberValue(l); break;
                        case int i: json.WriteNumberValue(i); break;
                        case byte[] bytes: json.WriteStringValue(Convert.ToHexString(bytes)); break;
                        case var other: throw new ArgumentException($"Bulk rows take integers, strings and bytes, not {other.GetType().Name}.");
                    }
                json.WriteEndArray();
            }
            json.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
