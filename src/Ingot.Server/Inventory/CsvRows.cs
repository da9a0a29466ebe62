using System.Text;
using CsvHelper;
using Ingot.Server.Api;

namespace Ingot.Server.Inventory;

/// <summary>One data row of an import file: the physical line it starts on (the header is line 1), its
/// fields, and what is wrong with its shape (field count, quoting).</summary>
public sealed record CsvRow(int Line, CsvHeader Header, string[] Fields, IReadOnlyList<string> ShapeProblems)
{
    /// <summary>The trimmed cell of <paramref name="column"/>, or null when the file has no such column or it is blank.</summary>
    public string? this[string column] => Raw(column) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    /// <summary>The cell as written, untrimmed.</summary>
    public string? Raw(string column) =>
        Header.Index.TryGetValue(column, out var i) && i < Fields.Length ? Fields[i] : null;
}

/// <summary>The columns of a file by name, shared by its rows (a big file has many rows and few columns).</summary>
public sealed record CsvHeader(IReadOnlyDictionary<string, int> Index);

/// <summary>Reads the machine import CSV with CsvHelper: header row required, columns in any order and any
/// case, RFC 4180 quoting (separators and line breaks inside quotes), CRLF or LF, with or without a BOM.</summary>
public static class CsvRows
{
    public static readonly string[] Columns =
    [
        "serial", "vendor", "model", "site", "rack", "unit", "sku", "hostname", "role", "macs",
        "bmc_driver", "bmc_address", "bmc_port", "bmc_username", "bmc_password", "tags",
    ];

    /// <summary>Reads every row of <paramref name="body"/>. A file without a usable header, or without
    /// rows, is a 422 for the whole request: there is nothing to report line by line.</summary>
    public static async Task<IReadOnlyList<CsvRow>> ReadAsync(Stream body, Encoding? encoding, CancellationToken ct)
    {
        // Keyed by line: CsvHelper reports quoting problems through a callback, before it returns the record.
        var malformed = new Dictionary<long, CsvMalformedReason>();
        var options = CsvReaderOptions.Default with
        {
            // Detection could pick ';' or '|' from the first lines; the documented format is comma-separated.
            Separator = ',',
            TrackLineNumbers = true,
            Encoding = encoding,
            OnMalformedRecord = m => malformed.TryAdd(m.LineNumber, m.Reason),
        };
        await using var reader = CsvReader.Create(body, options, leaveOpen: true);
        await reader.ReadHeaderAsync(ct);
        var columns = Header(reader.Headers);
        var header = new CsvHeader(columns.Select((name, i) => (name, i)).ToDictionary(c => c.name, c => c.i, StringComparer.Ordinal));
        var rows = new List<CsvRow>();
        while (await reader.ReadAsync(ct))
        {
            var row = Row(reader, header, columns.Length, malformed);
            if (row is not null) rows.Add(row);
        }
        if (rows.Count == 0)
            throw new ValidationException("csv", "the file has a header row but no machine rows; add one row per machine below the header.");
        return rows;
    }

    private static string[] Header(IReadOnlyList<string> headers)
    {
        if (headers.Count == 0)
            throw new ValidationException("csv",
                $"the file is empty; send a header row naming the columns ({string.Join(", ", Columns)}) and one row per machine.");
        var columns = headers.Select(h => h.Trim().ToLowerInvariant()).ToArray();
        var v = new Validation();
        for (var i = 0; i < columns.Length; i++)
        {
            if (columns[i].Length == 0) v.Add("header", $"column {i + 1} has no name.");
            else if (!Columns.Contains(columns[i]))
                v.Add("header", $"unknown column '{headers[i].Trim()}'; the columns are {string.Join(", ", Columns)}.");
            else if (Array.IndexOf(columns, columns[i]) < i) v.Add("header", $"column '{columns[i]}' appears twice.");
        }
        v.When(!columns.Contains("serial"), "header", "the required column 'serial' is missing.");
        v.ThrowIfInvalid();
        return columns;
    }

    private static CsvRow? Row(CsvReader reader, CsvHeader header, int columns, Dictionary<long, CsvMalformedReason> malformed)
    {
        var line = checked((int)reader.LineNumber);
        var fields = new string[reader.FieldCount];
        for (var i = 0; i < fields.Length; i++) fields[i] = reader.GetString(i);
        // Spreadsheets export trailing rows of bare separators (",,,,"); they hold no machine, so no error either.
        if (fields.All(string.IsNullOrWhiteSpace) && !malformed.ContainsKey(line)) return null;

        var problems = new List<string>();
        if (malformed.Remove(line, out var reason)) problems.Add(Describe(reason));
        if (fields.Length != columns)
            problems.Add($"it has {fields.Length} field{(fields.Length == 1 ? "" : "s")} but the header has {columns} columns");
        foreach (var (column, i) in header.Index)
            if (i < fields.Length && Text(column, fields[i]) is { } problem) problems.Add($"{column} {problem}");
        return new CsvRow(line, header, fields, problems.Count == 0 ? [] : problems);
    }

    /// <summary>The rules every door holds text to (<see cref="TextDoor"/>): no NUL, no more than the field's limit. A list
    /// cell (macs, tags) holds many values, so it is held to the general limit and its values to theirs where they are read.</summary>
    private static string? Text(string column, string cell) =>
        cell.Contains('\0') ? TextDoor.NulReason
        : column is "macs" or "tags" ? (cell.Length > TextLimits.Default ? TextLimits.TooLong(cell.Length, TextLimits.Default) : null)
        : TextLimits.Check(column, cell);

    private static string Describe(CsvMalformedReason reason) => reason switch
    {
        CsvMalformedReason.StrayQuote => "a quote inside an unquoted field (quote the whole field and double the inner quote)",
        CsvMalformedReason.TextAfterClosingQuote => "text after the closing quote of a field",
        CsvMalformedReason.UnterminatedQuote => "a quoted field is never closed, so it runs to the end of the file",
        _ => $"malformed quoting ({reason})",
    };

    /// <summary>The values of a list cell (macs, tags): separated by spaces or semicolons.</summary>
    public static IReadOnlyList<string> Split(string? cell) =>
        cell?.Split([' ', ';', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries) ?? [];
}
