using Ingot.Client;
using Ingot.Server.Api;
using Ingot.Server.Data;

namespace Ingot.Server.Inventory;

/// <summary>An image of the catalog as stored: what installs, wipes and discovery boot (Boot/) and what install jobs
/// check their image against (Jobs/). The catalog is inventory: it sits below both.</summary>
public sealed class ImageRow
{
    public const string Select =
        "SELECT id, name, kind, os, kernel_url, initrd_url, cmdline, kernel_sha256, initrd_sha256, deadline_seconds, created_at FROM images";

    public long Id { get; init; }
    public string Name { get; init; } = "";
    public string Kind { get; init; } = "";
    public string? Os { get; init; }
    public string KernelUrl { get; init; } = "";
    public string InitrdUrl { get; init; } = "";
    public string Cmdline { get; init; } = "";
    public string? KernelSha256 { get; init; }
    public string? InitrdSha256 { get; init; }
    public int DeadlineSeconds { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    public static Task<ImageRow?> FindAsync(DataContext c, string name) =>
        c.QuerySingleOrDefaultAsync<ImageRow>(Select + " WHERE name = @name", new { name = name.ToLowerInvariant() });

    /// <summary>The image of a kind that serves every machine (wipe, discovery): the first by name.</summary>
    public static Task<ImageRow?> OfKindAsync(DataContext c, ImageKind kind) =>
        c.QueryFirstOrDefaultAsync<ImageRow>(Select + " WHERE kind = @kind ORDER BY name", new { kind = Wire.Name(kind) });

    public ImageView View() => new(Id, Name, Wire.TryParse<ImageKind>(Kind, out var k) ? k : ImageKind.Install, Os, KernelUrl, InitrdUrl,
        Cmdline, KernelSha256, InitrdSha256, DeadlineSeconds, CreatedAt);
}
