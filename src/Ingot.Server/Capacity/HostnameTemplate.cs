using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Ingot.Server.Api;

namespace Ingot.Server.Capacity;

/// <summary>The names a request gives its machines (DESIGN.md §5: <c>&lt;role&gt;-&lt;random&gt;.&lt;site&gt;.&lt;domain&gt;</c>).
/// A template of literal text and the fields <c>{role}</c>, <c>{site}</c>, <c>{domain}</c>, <c>{random}</c> (six
/// lower-case letters and digits, new for each machine) and <c>{n}</c> (the machine's number in its request, from 1,
/// replacements counting on). Checked when the request is made, so that every name it renders is a DNS name.</summary>
public static partial class HostnameTemplate
{
    public const string Default = "{role}-{random}.{site}.{domain}";

    [GeneratedRegex(@"\{([a-z]*)\}")]
    private static partial Regex Field();

    private static readonly string[] Fields = ["role", "site", "domain", "random", "n"];

    /// <summary>Why the template cannot name <paramref name="count"/> machines, or null when it can.</summary>
    public static string? Problem(string template, int count, string role, string site, string domain)
    {
        if (template.Length > 200) return "must be at most 200 characters.";
        foreach (Match m in Field().Matches(template))
            if (!Fields.Contains(m.Groups[1].Value))
                return $"'{m.Value}' is not a field; use {string.Join(", ", Fields.Select(f => "{" + f + "}"))}.";
        if (Field().Replace(template, "").IndexOfAny(['{', '}']) >= 0) return "has a brace that opens or closes no field.";
        if (!template.Contains("{random}", StringComparison.Ordinal) && !template.Contains("{n}", StringComparison.Ordinal) && count > 1)
            return "names every machine the same: put {random} or {n} in it.";
        // The longest name it can render: the widest number a request reaches.
        var sample = Render(template, role, site, domain, "a1b2c3", 9_999_999);
        return Names.IsHostname(sample) ? null
            : $"renders '{sample}', which is not a DNS name (letters, digits and dashes in dot-separated labels of at most 63, 253 in all).";
    }

    public static string Render(string template, string role, string site, string domain, string random, int n) =>
        Field().Replace(template, m => m.Groups[1].Value switch
        {
            "role" => role,
            "site" => site,
            "domain" => domain,
            "random" => random,
            "n" => n.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => m.Value,
        }).ToLowerInvariant();

    /// <summary>Six characters of [a-z0-9] from a cryptographic source: names that do not say which machine came first.</summary>
    public static string Random()
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        Span<char> chars = stackalloc char[6];
        for (var i = 0; i < chars.Length; i++) chars[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        return new string(chars);
    }
}
