using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ingot.Client;
using Microsoft.AspNetCore.Http;

namespace Ingot.Server.Api;

/// <summary>The Idempotency-Key header of a submission (batches, jobs): a client that lost the answer sends the same
/// key and body again and gets the first submission back instead of a second one.</summary>
public static class Idempotency
{
    public const string Header = "Idempotency-Key";
    public const int MaxLength = 200;

    /// <summary>The caller's key, trimmed, or null when none was sent.</summary>
    public static string? Key(HttpContext http)
    {
        var key = http.Request.Headers[Header].FirstOrDefault() is { Length: > 0 } k ? k.Trim() : null;
        if (key is { Length: > MaxLength }) throw new ValidationException(Header, $"must be at most {MaxLength} characters.");
        return key;
    }

    /// <summary>What "the same body" means: SHA-256 of the body as the server understood it, plus whatever else names
    /// the request (the machine of a job), so that one key for two different requests is seen as such.</summary>
    public static string Hash<T>(T body, string? target = null) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes((target is null ? "" : target + "\n") + JsonSerializer.Serialize(body, IngotJson.Options))));

    /// <summary>The key was used before with another request: refused, naming what it was used for.</summary>
    public static ValidationException Reused(string key, string what) =>
        new(Header, $"'{key}' was used for {what} with another body; use a new key.");
}
