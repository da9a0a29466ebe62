using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ingot.Client;

/// <summary>A list of strings that may also be sent as one string: a token's <c>scope</c> is written <c>"read"</c> as often
/// as <c>["power_cycle", "reboot"]</c>. Always written as a list.</summary>
public sealed class OneOrMany : JsonConverter<IReadOnlyList<string>?>
{
    public override IReadOnlyList<string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.String => [reader.GetString()!],
            _ => JsonSerializer.Deserialize<List<string>>(ref reader, options),
        };

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<string>? value, JsonSerializerOptions options)
    {
        if (value is null) writer.WriteNullValue();
        else JsonSerializer.Serialize(writer, value, options);
    }

    public override bool HandleNull => true;
}
