using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ingot.Client;

namespace Ingot.Server.Tests.Infrastructure;

/// <summary>Plays a discovery image through the one discovery door, as a racked machine would: an unknown MAC boots
/// (GET /boot/ipxe), the script hands it a boot token, and the report goes to POST /boot/discovery with that token.</summary>
public static partial class DiscoveryImage
{
    /// <summary>Boots <paramref name="mac"/> <paramref name="count"/> times and returns the boot tokens its scripts carried
    /// (each is good for one report). Makes sure the catalog has a discovery image first.</summary>
    /// <param name="platform">What iPXE reports as ${platform} (efi, pcbios), or null to leave it out of the URL.</param>
    public static async Task<IReadOnlyList<string>> BootAsync(TestServer server, string mac, int count = 1, string? platform = null)
    {
        await EnsureImageAsync(server);
        using var http = server.Http(token: "");
        var tokens = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var script = await http.GetStringAsync($"boot/ipxe?mac={mac}" + (platform is null ? "" : $"&platform={platform}"));
            tokens.Add(TokenPattern().Match(script) is { Success: true } m ? m.Groups[1].Value
                : throw new InvalidOperationException($"MAC {mac} did not boot the discovery image:\n{script}"));
        }
        return tokens;
    }

    /// <summary>Posts the report with <paramref name="token"/> (no Authorization header when null).</summary>
    public static async Task<HttpResponseMessage> PostAsync(TestServer server, DiscoveryReport report, string? token)
    {
        using var http = server.Http(token: "");
        using var request = new HttpRequestMessage(HttpMethod.Post, "boot/discovery") { Content = JsonContent.Create(report, options: IngotJson.Options) };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request);
    }

    /// <summary>Boots the first reported MAC the server does not know (a known MAC boots its disk, not discovery) and
    /// reports; a refusal throws the problem as <see cref="IngotApiException"/>, as the typed client does.</summary>
    public static async Task<DiscoveryResult> ReportAsync(TestServer server, DiscoveryReport report, string? platform = null)
    {
        await EnsureImageAsync(server);
        string? token = null;
        using (var http = server.Http(token: ""))
            foreach (var nic in report.Nics ?? [])
            {
                using var script = await http.GetAsync($"boot/ipxe?mac={Uri.EscapeDataString(nic.Mac ?? "")}" + (platform is null ? "" : $"&platform={platform}"));
                if (TokenPattern().Match(await script.Content.ReadAsStringAsync()) is { Success: true } m) { token = m.Groups[1].Value; break; }
            }
        using var response = await PostAsync(server, report, token ?? "no-discovery-token");
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new IngotApiException(JsonSerializer.Deserialize<Problem>(body, IngotJson.Options) ?? new Problem { Status = (int)response.StatusCode });
        return JsonSerializer.Deserialize<DiscoveryResult>(body, IngotJson.Options)!;
    }

    private static async Task EnsureImageAsync(TestServer server)
    {
        if ((await server.Admin.ListImagesAsync()).Any(i => i.Kind == ImageKind.Discovery)) return;
        try { await server.Admin.CreateImageAsync(new ImageCreate("discovery", ImageKind.Discovery, "http://images.invalid/d/vmlinuz", "http://images.invalid/d/initrd")); }
        catch (IngotApiException e) when (e.Status == 409) { /* another test of the class made it meanwhile */ }
    }

    [GeneratedRegex(@"ingot\.token=(\S+)")]
    private static partial Regex TokenPattern();
}
