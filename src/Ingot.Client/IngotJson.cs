using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ingot.Client;

/// <summary>The one JSON shape of the API: snake_case names, enums as snake_case strings,
/// unknown fields refused so that a typo in a request is an error rather than silently ignored.</summary>
public static class IngotJson
{
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>For reading what a server sends: the same names, but fields this client does not know are
    /// skipped, so a newer server that adds a field does not break an older client.</summary>
    public static JsonSerializerOptions Tolerant { get; } = new(Options) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip };

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        return options;
    }
}
