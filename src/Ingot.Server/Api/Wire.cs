using System.Text.Json;

namespace Ingot.Server.Api;

/// <summary>Enum values as they appear on the wire and in the database (snake_case), and back.</summary>
public static class Wire
{
    public static string Name<T>(T value) where T : struct, Enum =>
        JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    public static bool TryParse<T>(string? text, out T value) where T : struct, Enum
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var wanted = text.Trim().ToLowerInvariant();
        foreach (var candidate in Enum.GetValues<T>())
            if (Name(candidate) == wanted) { value = candidate; return true; }
        return false;
    }

    /// <summary>An amount without the trailing zeros a NUMERIC column's scale adds (PostgreSQL's 1.7500 is SQLite's 1.75),
    /// so both engines answer the same JSON.</summary>
    public static decimal? Plain(decimal? value) => value / 1.0000000000000000000000000000m;

    public static string Names<T>() where T : struct, Enum => string.Join(", ", Enum.GetValues<T>().Select(v => Name(v)));
}
