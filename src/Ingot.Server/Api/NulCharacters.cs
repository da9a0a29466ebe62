using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Ingot.Server.Api;

/// <summary>No text Ingot keeps may hold a NUL character: PostgreSQL refuses it in text (a 500 before), SQLite would store
/// it and hand it to every reader. Refused at the door, before any endpoint, with a 422 naming where it was: a query
/// parameter, or a JSON body's field (a JSON text can hold a NUL only as the escape \u0000, so bodies without that
/// sequence pass after one scan); <see cref="Problems"/> turns a NUL that still reaches PostgreSQL into the same 422.</summary>
/// <remarks>Not a string converter: a custom converter hides from the OpenAPI generator that a field is a string
/// (found by the committed-contract test).</remarks>
public static class NulCharacters
{
    public const string Reason = "contains a NUL character (\\u0000), which no text in Ingot may hold.";

    private static readonly byte[] Escape = Encoding.ASCII.GetBytes("\\u0000");

    public static void UseNulRefusal(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        // The common case parses nothing: a NUL in a URL is the escape %00 in its raw text, in JSON the escape \u0000.
        var inQuery = context.Request.QueryString.Value?.Contains("%00", StringComparison.Ordinal) == true;
        var body = context.Request.ContentLength != 0 && context.Request.HasJsonContentType() ? await BodyAsync(context) : default;
        var inBody = body.Span.IndexOf(Escape) >= 0;
        if (inQuery || inBody)
        {
            var v = new Validation();
            foreach (var (key, values) in context.Request.Query)
                if (key.Contains('\0') || values.Any(value => value?.Contains('\0') == true)) v.Add(key.Replace("\0", "\\u0000"), Reason);
            if (inBody)
                foreach (var field in Fields(body)) v.Add(field, Reason);
            v.ThrowIfInvalid();
        }
        await next(context);
    });

    /// <summary>The body, read once into memory, which the endpoint then reads in place of the request stream.</summary>
    private static async Task<ReadOnlyMemory<byte>> BodyAsync(HttpContext context)
    {
        var copy = new MemoryStream();
        context.Response.RegisterForDispose(copy);
        await context.Request.Body.CopyToAsync(copy, context.RequestAborted);
        copy.Position = 0;
        context.Request.Body = copy;
        return copy.GetBuffer().AsMemory(0, (int)copy.Length);
    }

    /// <summary>The paths (names as sent, e.g. nics[1].name) of the strings and property names that hold a NUL.</summary>
    private static List<string> Fields(ReadOnlyMemory<byte> body)
    {
        var found = new List<string>();
        var frames = new List<Frame>();
        var reader = new Utf8JsonReader(body.Span, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray) { frames.RemoveAt(frames.Count - 1); continue; }
                if (reader.TokenType == JsonTokenType.PropertyName)
                {
                    frames[^1].Property = reader.GetString();
                    if (frames[^1].Property!.Contains('\0')) found.Add(Join(frames));
                    continue;
                }
                if (frames.Count > 0 && frames[^1].IsArray) frames[^1].Index++;
                if (reader.TokenType == JsonTokenType.String && reader.GetString()!.Contains('\0')) found.Add(Join(frames));
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                    frames.Add(new Frame { IsArray = reader.TokenType == JsonTokenType.StartArray });
            }
        }
        catch (JsonException)
        {
            // Malformed JSON: the endpoint's own reading says what is wrong with it.
        }
        return found.Count == 0 ? ["body"] : found;
    }

    private sealed class Frame
    {
        public bool IsArray { get; init; }
        public int Index { get; set; } = -1;
        public string? Property { get; set; }
    }

    private static string Join(List<Frame> frames)
    {
        var text = new StringBuilder();
        foreach (var frame in frames)
        {
            if (frame.IsArray) text.Append('[').Append(frame.Index).Append(']');
            else if (frame.Property is { } name) text.Append(text.Length == 0 ? "" : ".").Append(name.Replace("\0", "\\u0000"));
        }
        return text.Length == 0 ? "body" : text.ToString();
    }
}
