using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Ingot.Server.Tests.Infrastructure;

/// <summary>An image server on a loopback port: serves the files a test puts in it over real HTTP, 404 for others, and
/// counts the downloads, as the web server that holds a fleet's kernels and initrds would.</summary>
public sealed class ImageFileServer : IAsyncDisposable
{
    private WebApplication app = null!;
    private readonly ConcurrentDictionary<string, byte[]> files = new(StringComparer.Ordinal);


    public Uri Url { get; private set; } = null!;

    public ConcurrentDictionary<string, int> Downloads { get; } = new(StringComparer.Ordinal);

    public static async Task<ImageFileServer> StartAsync()
    {
        var server = new ImageFileServer();
        (server.app, server.Url) = await LoopbackWeb.StartAsync(app => app.MapGet("/{**path}", (string path) =>
        {
            if (!server.files.TryGetValue(path, out var bytes)) return Results.NotFound();
            server.Downloads.AddOrUpdate(path, 1, (_, n) => n + 1);
            return Results.Bytes(bytes, "application/octet-stream");
        }));
        return server;
    }

    /// <summary>Serves <paramref name="bytes"/> at <paramref name="path"/>; returns its URL and SHA-256 (lower-case hex).</summary>
    public (string Url, string Sha256) Put(string path, byte[] bytes)
    {
        files[path] = bytes;
        return (new Uri(Url, path).ToString(), Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

/// <summary>One image server for the tests of a class.</summary>
public sealed class ImageFileServerFixture : IAsyncLifetime
{
    public ImageFileServer Files { get; private set; } = null!;

    public async Task InitializeAsync() => Files = await ImageFileServer.StartAsync();

    public async Task DisposeAsync() => await Files.DisposeAsync();
}
