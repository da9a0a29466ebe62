namespace Ingot.Server.Notifications;

/// <summary>Every event type the features write, handed in by the composition root (the features own their names;
/// this folder only checks that a filter names real ones, so a typo is a 422 rather than a subscription that never
/// hears anything).</summary>
public sealed class EventCatalog(IEnumerable<string> types)
{
    public IReadOnlySet<string> Types { get; } = new SortedSet<string>(types, StringComparer.Ordinal);

    /// <summary>Why <paramref name="pattern"/> matches no type, or null: a type, "noun.*" or "*".</summary>
    public string? Problem(string pattern)
    {
        if (pattern == "*" || Types.Contains(pattern)) return null;
        if (pattern.EndsWith(".*", StringComparison.Ordinal) && Types.Any(t => t.StartsWith(pattern[..^1], StringComparison.Ordinal))) return null;
        var nouns = Types.Select(t => t.Split('.')[0]).Distinct();
        return $"'{pattern}' is no event type; use a type ({string.Join(", ", Types)}), a noun's types ({string.Join(", ", nouns.Select(n => n + ".*"))}) or *.";
    }
}
