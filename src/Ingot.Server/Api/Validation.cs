namespace Ingot.Server.Api;

/// <summary>Collects every problem with a request before answering, so the caller fixes them all at once.</summary>
public sealed class Validation
{
    private readonly Dictionary<string, List<string>> errors = new(StringComparer.Ordinal);

    public bool IsValid => errors.Count == 0;

    /// <summary>How many reasons have been recorded, to tell whether a step added any.</summary>
    public int Count => errors.Values.Sum(e => e.Count);

    public Validation Add(string field, string reason)
    {
        if (!errors.TryGetValue(field, out var list)) errors[field] = list = [];
        list.Add(reason);
        return this;
    }

    /// <summary>Records <paramref name="reason"/> against <paramref name="field"/> when <paramref name="bad"/>.</summary>
    public Validation When(bool bad, string field, string reason) => bad ? Add(field, reason) : this;

    public string? Required(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) { Add(field, "is required."); return null; }
        return value.Trim();
    }

    /// <summary>A required catalog name (site, rack, SKU, role, team), lower-cased and held to the slug rule.</summary>
    public string? Slug(string field, string? value, string what)
    {
        var name = Required(field, value)?.ToLowerInvariant();
        if (name is not null && !Names.IsSlug(name))
            Add(field, $"'{name}' is not a valid {what} name: {Names.SlugRule}.");
        return name;
    }

    public int? Range(string field, int? value, int min, int max, bool required = false)
    {
        if (value is null) { if (required) Add(field, "is required."); return null; }
        if (value < min || value > max) Add(field, $"must be between {min} and {max}, not {value}.");
        return value;
    }

    /// <summary>Every reason so far, by field, for callers that report rather than throw (the CSV import).</summary>
    public IReadOnlyDictionary<string, string[]> Errors => errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

    public void ThrowIfInvalid()
    {
        if (!IsValid) throw new ValidationException(Errors);
    }
}
