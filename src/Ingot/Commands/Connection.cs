namespace Ingot.Commands;

/// <summary>Which server a client verb talks to and with which token, and where each came from (so an
/// error can say which setting to fix).</summary>
internal sealed record Connection(Uri Url, string Token, string TokenSource)
{
    public const string DefaultUrl = "http://127.0.0.1:7420";
    public const string UrlVariable = "INGOT_URL";
    public const string TokenVariable = "INGOT_TOKEN";

    /// <summary>Each of URL and token: the flag, else the environment variable, else the config file written
    /// by `ingot login`; the URL finally defaults to <see cref="DefaultUrl"/>.</summary>
    /// <exception cref="UsageException">No token anywhere, or a URL that is not http(s).</exception>
    public static async Task<Connection> ResolveAsync(CliContext context, string? urlFlag, string? tokenFlag, CancellationToken ct)
    {
        var urlSetting = First((urlFlag, "--url"), (context.Environment(UrlVariable), UrlVariable));
        var tokenSetting = First((tokenFlag, "--token"), (context.Environment(TokenVariable), TokenVariable));
        // Read only when needed, so a damaged config file does not stop a command given everything explicitly.
        var config = urlSetting is null || tokenSetting is null ? await CliConfig.LoadAsync(context.ConfigPath, ct) : null;

        var url = urlSetting is { } given ? ParseUrl(given.Value, given.Source)
            : Pick(config?.Url) is { } savedUrl ? ParseUrl(savedUrl, context.ConfigPath)
            : new Uri(DefaultUrl + "/");
        if (tokenSetting is { } token) return new(url, token.Value, token.Source);

        // The saved token belongs to the server it was saved with: pointing --url or INGOT_URL elsewhere must
        // not hand that server a credential for another one.
        if (Pick(config?.Token) is { } savedToken && (Pick(config?.Url) is not { } tokenUrl || SameServer(tokenUrl, url)))
            return new(url, savedToken, context.ConfigPath);

        var elsewhere = Pick(config?.Token) is not null
            ? $" The token in {context.ConfigPath} is for {config!.Url}, not this server."
            : "";
        throw new UsageException(
            $"No API token for {url}.{elsewhere} Pass --token TOKEN, set {TokenVariable}, or run " +
            $"'ingot login --url {url} --token TOKEN' once to save it. A new server writes its admin token to DATA/admin-token.");
    }

    /// <summary>An absolute http(s) URL ending in '/', so the client's relative API paths keep any path prefix.</summary>
    public static Uri ParseUrl(string text, string source)
    {
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new UsageException($"'{text}' (from {source}) is not an http:// or https:// URL, such as {DefaultUrl}.");
        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.GetLeftPart(UriPartial.Path) + "/" + uri.Query);
    }

    private static bool SameServer(string saved, Uri url) =>
        Uri.TryCreate(saved.Trim(), UriKind.Absolute, out var other)
        && Uri.Compare(url, other, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0
        && url.AbsolutePath.TrimEnd('/') == other.AbsolutePath.TrimEnd('/');

    private static (string Value, string Source)? First(params (string? Value, string Source)[] settings) =>
        settings.Where(s => Pick(s.Value) is not null).Select(s => ((string, string)?)(Pick(s.Value)!, s.Source)).FirstOrDefault();

    private static string? Pick(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
