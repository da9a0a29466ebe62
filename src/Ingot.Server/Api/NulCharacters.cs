using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Ingot.Server.Api;

/// <summary>No text Ingot keeps may hold a NUL character: PostgreSQL refuses it in text (a 500 before), SQLite would store
/// it and hand it to every reader. Refused at the doors with a 422 naming where it was: a JSON body's field (a string
/// converter), the path or a query parameter (a middleware); <see cref="Problems"/> turns a NUL that still reaches
/// PostgreSQL into the same 422 (issue 11 D.1).</summary>
public static class NulCharacters
{
    public const string Reason = "contains a NUL character (\\u0000), which no text in Ingot may hold.";

    /// <summary>Refuses a path or query parameter with a NUL before any endpoint sees it.</summary>
    public static void UseNulRefusal(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var v = new Validation();
        if (context.Request.Path.Value?.Contains('\0') == true) v.Add("path", Reason);
        foreach (var (key, values) in context.Request.Query)
            if (key.Contains('\0') || values.Any(value => value?.Contains('\0') == true)) v.Add(key.Replace("\0", "\\u0000"), Reason);
        v.ThrowIfInvalid();
        await next(context);
    });

    /// <summary>JSON strings of request bodies, read as usual unless they hold a NUL.</summary>
    public sealed class Refusing : JsonConverter<string>
    {
        public override bool HandleNull => false;

        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.GetString();
            return text is not null && text.Contains('\0') ? throw new NulCharacterException() : text;
        }

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }
}

/// <summary>A JSON body's string held a NUL; System.Text.Json adds the field's path.</summary>
public sealed class NulCharacterException() : JsonException(NulCharacters.Reason);
