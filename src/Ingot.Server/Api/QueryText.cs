using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Ingot.Server.Api;

/// <summary>A list endpoint's query string, read with every problem collected into one <see cref="Validation"/>:
/// unknown or repeated parameters, and values that do not parse.</summary>
public sealed class QueryText
{
    private readonly IQueryCollection query;

    public QueryText(IQueryCollection query, IReadOnlyCollection<string> known, string what, Validation v)
    {
        this.query = query;
        Validation = v;
        foreach (var key in query.Keys.Where(k => !known.Contains(k)))
            v.Add(key, $"is not a {what} filter; use {string.Join(", ", known)}.");
        foreach (var key in query.Keys.Where(k => query[k].Count > 1))
            v.Add(key, "is given more than once.");
    }

    public Validation Validation { get; }

    public bool Has(string name) => query.ContainsKey(name);

    public string? Text(string name) => query[name].FirstOrDefault() is { Length: > 0 } t ? t.Trim() : null;

    public bool? Bool(string name) => Text(name)?.ToLowerInvariant() switch
    {
        null => null,
        "true" or "1" or "yes" => true,
        "false" or "0" or "no" => false,
        var text => Fail<bool>(name, $"'{text}' is not true or false."),
    };

    public int? Int(string name, int min, int max)
    {
        if (Text(name) is not { } text) return null;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            return Fail<int>(name, $"'{text}' is not a whole number from {min} to {max}.");
        return value;
    }

    public long? Long(string name, string expected)
    {
        if (Text(name) is not { } text) return null;
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : Fail<long>(name, $"'{text}' is not {expected}.");
    }

    /// <summary>The keyset cursor of a paged list: the <c>next</c> of the previous page.</summary>
    public long? Cursor(string name = "after") => Long(name, "a cursor from a previous page's 'next'");

    public DateTimeOffset? Time(string name)
    {
        if (Text(name) is not { } text) return null;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value.ToUniversalTime()
            : Fail<DateTimeOffset>(name, $"'{text}' is not a time; use ISO 8601, e.g. 2026-11-22T10:00:00Z.");
    }

    private T? Fail<T>(string field, string reason) where T : struct
    {
        Validation.Add(field, reason);
        return null;
    }
}
