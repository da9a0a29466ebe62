using Ingot.Client;

namespace Ingot.Commands.Demo;

/// <summary>The demo's images catalog: one of each kind, so a reimage, a recycle and a discovery all have something
/// to boot. The URLs are under .invalid (RFC 2606), which never resolves: the simulated machines act as the images
/// without downloading them, and a real machine pointed at the demo by mistake fails loudly instead of installing.</summary>
public static class SampleImages
{
    public const string Install = "debian-12";

    public static readonly ImageCreate[] All =
    [
        new(Install, ImageKind.Install, Url(Install, "vmlinuz"), Url(Install, "initrd.gz"),
            "console=ttyS0,115200 auto=true priority=critical", Os: "Debian 12", DeadlineSeconds: 600),
        new("wipe", ImageKind.Wipe, Url("wipe", "vmlinuz"), Url("wipe", "initrd.img"), "console=ttyS0,115200", DeadlineSeconds: 600),
        new("discovery", ImageKind.Discovery, Url("discovery", "vmlinuz"), Url("discovery", "initrd.img"), "console=ttyS0,115200",
            DeadlineSeconds: 600),
    ];

    /// <summary>Adds the images the catalog lacks, by name: a restart on the same data, or an image a user changed,
    /// is left as it is.</summary>
    /// <returns>How many were added.</returns>
    public static async Task<int> SeedAsync(IngotClient client, CancellationToken ct)
    {
        var existing = (await client.ListImagesAsync(ct)).Select(i => i.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var added = 0;
        foreach (var image in All.Where(i => !existing.Contains(i.Name!)))
        {
            await client.CreateImageAsync(image, ct);
            added++;
        }
        return added;
    }

    private static string Url(string image, string file) => $"http://images.invalid/{image}/{file}";
}
