namespace Ingot.Server.Api;

/// <summary>How long a piece of text Ingot keeps may be, by field. Without a bound one request could store a megabyte
/// vendor name, and every page of machines after it would carry that megabyte to every reader (issue 11 D.2). Fields
/// are matched by their wire name wherever they occur (a body's property, an array under it, a CSV column), so the
/// same word has the same limit at every door; anything not listed gets <see cref="Default"/>.</summary>
public static class TextLimits
{
    /// <summary>Any string not named below, and every property name (a params key, say).</summary>
    public const int Default = 1024;

    private static readonly Dictionary<string, int> ByField = new(StringComparer.Ordinal)
    {
        // What hardware reports about itself: real values are tens of characters.
        ["serial"] = 128, ["vendor"] = 128, ["model"] = 128, ["cpu_model"] = 256, ["os"] = 128,
        // DNS caps a name at 253 characters; a NIC or image name is shorter still.
        ["hostname"] = 253, ["hosts"] = 253, ["address"] = 253, ["bmc_address"] = 253, ["name"] = 128,
        ["username"] = 128, ["bmc_username"] = 128, ["password"] = 256, ["bmc_password"] = 256, ["tags"] = 64,
        // Words a person writes for another person.
        ["description"] = 2000, ["reason"] = 1000, ["maintenance_reason"] = 1000,
        // Boot: URLs and a kernel command line (Linux takes 2048 to 4096 bytes, depending on the architecture).
        ["kernel_url"] = 2048, ["initrd_url"] = 2048, ["cmdline"] = 4096,
        // An installer's report: an error message, and a chunk of its log.
        ["message"] = 4096, ["error"] = 4096, ["log"] = 16384,
    };

    public static int For(string? field) => field is not null && ByField.TryGetValue(field, out var limit) ? limit : Default;

    /// <summary>The reason for a value over its field's limit, or null when it fits.</summary>
    public static string? Check(string? field, string? value) =>
        value is not null && value.Length > For(field) ? TooLong(value.Length, For(field)) : null;

    public static string TooLong(int length, int limit) => $"is {length} characters long; at most {limit} are kept.";
}
