using System.Globalization;
using System.Security.Cryptography;
using Ingot.Server.Api;

namespace Ingot.Server.Inventory;

/// <summary>Checks an image's checksums where they can be checked: here, by downloading the kernel and initrd when the
/// image is added, and refusing the image if a SHA-256 differs (issue 11 B.3). iPXE cannot be the checker: its
/// <c>imgverify</c>/<c>imgtrust</c> verify CMS signatures (a signed file per image, and a trusted certificate built into
/// iPXE), not a SHA-256, and its <c>sha256sum</c> is a build option (DIGEST_CMD) that iPXE's default configuration leaves
/// out, so a script cannot count on it in a fleet's firmware. The server checks the files it is told of, once, before
/// any machine can boot them; what a machine later downloads is whatever the image server then serves (docs/boot.md).</summary>
public sealed class ImageChecksums(TimeSpan timeout) : IDisposable
{
    private readonly HttpClient http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        // The whole download is bounded by the timeout below, not only the wait for headers.
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>One file an image names: "kernel" or "initrd", its URL and the SHA-256 the admin gave (null: none).</summary>
    public sealed record File(string What, string? Url, string? Sha256)
    {
        public string UrlField => $"{What}_url";
        public string ShaField => $"{What}_sha256";
    }

    /// <summary>Downloads each file that has a checksum (at once) and adds to <paramref name="v"/> every one that
    /// differs, could not be downloaded, or sits where Ingot cannot download it.</summary>
    public async Task CheckAsync(Validation v, IReadOnlyList<File> files, CancellationToken ct)
    {
        var problems = await Task.WhenAll(files.Where(f => f is { Url: not null, Sha256: not null }).Select(f => CheckAsync(f, ct)));
        foreach (var (field, message) in problems.OfType<(string, string)>()) v.Add(field, message);
    }

    private async Task<(string Field, string Message)?> CheckAsync(File file, CancellationToken ct)
    {
        var url = new Uri(file.Url!);
        if (url.Scheme is not ("http" or "https"))
            return (file.ShaField, $"cannot be checked on a {url.Scheme} URL: Ingot checks a checksum by downloading the {file.What} " +
                                   "over http or https. Give an http(s) URL, or no checksum.");
        string actual;
        try
        {
            actual = await DigestAsync(url, ct);
        }
        catch (HttpRequestException e)
        {
            return (file.UrlField, $"could not be downloaded to check {file.ShaField}: {e.Message}");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (file.UrlField, string.Create(CultureInfo.InvariantCulture,
                $"could not be downloaded within {timeout.TotalSeconds} s to check {file.ShaField} (INGOT_IMAGES_VERIFY_TIMEOUT_SECONDS)."));
        }
        return string.Equals(actual, file.Sha256, StringComparison.OrdinalIgnoreCase)
            ? null
            : (file.ShaField, $"does not match the {file.What} at {url}: its SHA-256 is {actual}. Correct the checksum, or the file.");
    }

    private async Task<string> DigestAsync(Uri url, CancellationToken ct)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(timeout);
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, bounded.Token);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"the server answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd());
        await using var body = await response.Content.ReadAsStreamAsync(bounded.Token);
        // Streamed through the hash: an initrd of hundreds of megabytes is never held in memory.
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(body, bounded.Token));
    }

    public void Dispose() => http.Dispose();
}
