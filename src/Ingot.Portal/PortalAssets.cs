using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace Ingot.Portal;

/// <summary>The portal's stylesheet and script, embedded in the assembly and served with a content hash as ETag: a
/// browser keeps them an hour and then asks again with If-None-Match.</summary>
internal static class PortalAssets
{
    private sealed record Asset(byte[] Bytes, string Type, string ETag);

    private static readonly FrozenDictionary<string, Asset> All = Load();

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(PortalAssets).Assembly;
        const string prefix = "Ingot.Portal.Assets.";
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var name = resource[prefix.Length..];
            var type = Path.GetExtension(name) switch { ".css" => "text/css; charset=utf-8", ".js" => "text/javascript; charset=utf-8", ".svg" => "image/svg+xml", _ => "application/octet-stream" };
            assets[name] = new Asset(bytes, type, $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}\"");
        }
        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public static IResult Serve(string name, HttpContext http)
    {
        if (!All.TryGetValue(name, out var asset)) return Results.NotFound();
        http.Response.Headers.CacheControl = "public, max-age=3600";
        http.Response.Headers.ETag = asset.ETag;
        if (http.Request.Headers.IfNoneMatch == asset.ETag) return Results.StatusCode(StatusCodes.Status304NotModified);
        return Results.Bytes(asset.Bytes, asset.Type);
    }
}
