using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Ingot.Server.Api;

/// <summary>The door every request's text passes before any endpoint sees it, refusing with one 422 that names each
/// field: (1) no text Ingot keeps may hold a NUL character: PostgreSQL refuses it in text (a 500 before), SQLite would
/// store it and hand it to every reader; (2) no string in a JSON body may be longer than its field's
/// <see cref="TextLimits"/>. Query parameters are checked for NUL (their length is bounded by the request line's).
/// <see cref="Problems"/> turns a NUL that still reaches PostgreSQL into the same 422.</summary>
/// <remarks>Not a string converter: a custom converter hides from the OpenAPI generator that a field is a string
/// (found by the committed-contract test).</remarks>
public static class TextDoor
{
    public const string NulReason = "contains a NUL character (\\u0000), which no text in Ingot may hold.";

    public static void UseTextDoor(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        // A NUL in a URL is the escape %00 in its raw text; the query is parsed only then.
        var inQuery = context.Request.QueryString.Value?.Contains("%00", StringComparison.Ordinal) == true;
        var body = context.Request.ContentLength != 0 && context.Request.HasJsonContentType() ? await BodyAsync(context) : default;
        var v = new Validation();
        if (inQuery)
            foreach (var (key, values) in context.Request.Query)
                if (key.Contains('\0') || values.Any(value => value?.Contains('\0') == true)) v.Add(key.Replace("\0", "\\u0000"), NulReason);
        // Bodies shorter than the smallest limit hold no string over it; most requests are that small.
        if (body.Length > 0) Check(body, v);
        v.ThrowIfInvalid();
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

    /// <summary>Adds a reason for every string and property name that holds a NUL or is over its field's limit, under its
    /// path as sent (e.g. nics[1].name).</summary>
    private static void Check(ReadOnlyMemory<byte> body, Validation v)
    {
        var frames = new List<Frame>();
        var reader = new Utf8JsonReader(body.Span, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray) { frames.RemoveAt(frames.Count - 1); continue; }
                if (reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader.GetString()!;
                    var reason = Problem(ref reader, null);
                    // An over-long name is shown by its start: the error must not echo the megabyte back.
                    frames[^1].Property = reason is not null && name.Length > 64 ? name[..64] + "…" : name;
                    if (reason is not null) v.Add(Join(frames), reason);
                    continue;
                }
                if (frames.Count > 0 && frames[^1].IsArray) frames[^1].Index++;
                if (reader.TokenType == JsonTokenType.String && Problem(ref reader, Leaf(frames)) is { } problem) v.Add(Join(frames), problem);
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                    frames.Add(new Frame { IsArray = reader.TokenType == JsonTokenType.StartArray });
            }
        }
        catch (JsonException)
        {
            // Malformed JSON: the endpoint's own reading says what is wrong with it.
        }
    }

    /// <summary>What is wrong with the string or property name under the reader, if anything. Decoded only when it could
    /// be wrong: JSON carries a NUL only escaped, and a string's UTF-8 bytes are never fewer than its characters.</summary>
    private static string? Problem(ref Utf8JsonReader reader, string? field)
    {
        var limit = TextLimits.For(field);
        if (!reader.ValueIsEscaped && reader.ValueSpan.Length <= limit) return null;
        var text = reader.GetString()!;
        return text.Contains('\0') ? NulReason : TextLimits.Check(field, text);
    }

    /// <summary>The name a string's limit goes by: its property, or for an array's item the array's property.</summary>
    private static string? Leaf(List<Frame> frames)
    {
        for (var i = frames.Count - 1; i >= 0; i--)
            if (!frames[i].IsArray) return frames[i].Property;
        return null;
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
