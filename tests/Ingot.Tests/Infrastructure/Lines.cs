namespace Ingot.Tests.Infrastructure;

/// <summary>Reading table output the way a script would: by line and by whitespace-separated column.</summary>
public static class Lines
{
    public static string[] Of(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r', ' ')).Where(l => l.Length > 0).ToArray();

    public static string[] Cells(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The table row whose first cell is <paramref name="key"/>, or whose cell at <paramref name="column"/> is.</summary>
    public static string[] Row(string table, string key, int column = 0) =>
        Of(table).Select(Cells).SingleOrDefault(c => c.Length > column && c[column] == key)
        ?? throw new Xunit.Sdk.XunitException($"no row with '{key}' in column {column} of:\n{table}");
}
