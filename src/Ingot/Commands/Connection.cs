namespace Ingot.Commands;

/// <summary>Which server a client verb talks to, with which token, trusting which certificate authority, and where each
/// came from (so an error can say which setting to fix).</summary>
/// <param name="Authority">The CA certificate (a PEM file) that alone is trusted for an https:// server, and where it was named;
/// null: the system's trusted roots.</param>
internal sealed record Connection(Uri Url, string Token, string TokenSource, (string Path, string Source)? Authority = null)
{
    public const string DefaultUrl = "http://127.0.0.1:7420";
    public const string UrlVariable = "INGOT_URL";
    public const string TokenVariable = "INGOT_TOKEN";
    public const string AuthorityVariable = "INGOT_CA_CERTIFICATE";

    /// <summary>An HTTP client for the server; with an <see cref="Authority"/>, its certificate chain must end at that CA.</summary>
    /// <exception cref="UsageException">The CA file cannot be read or holds no certificate.</exception>
    public HttpClient CreateHttp() =>
        Authority is { } authority
            ? new HttpClient(TrustedAuthority.Handler(authority.Path, authority.Source), disposeHandler: true) { BaseAddress = Url }
            : new HttpClient { BaseAddress = Url };

    /// <summary>Each of URL and token: the flag, else the environment variable, else the config file written
    /// by `ingot login`; the URL finally defaults to <see cref="DefaultUrl"/>.</summary>
    /// <exception cref="UsageException">No token anywhere, or a URL that is not http(s).</exception>
    public static async Task<Connection> ResolveAsync(CliContext context, string? urlFlag, string? tokenFlag, string? authorityFlag, CancellationToken ct)
    {
        var urlSetting = First((urlFlag, "--url"), (context.Environment(UrlVariable), UrlVariable));
        var tokenSetting = First((tokenFlag, "--token"), (context.Environment(TokenVariable), TokenVariable));
        var authoritySetting = First((authorityFlag, "--ca-certificate"), (context.Environment(AuthorityVariable), AuthorityVariable));
        // Read only when needed, so a damaged config file does not stop a command given everything explicitly (the saved
        // CA is then not used either: it goes with the saved server and token).
        var config = urlSetting is null || tokenSetting is null ? await CliConfig.LoadAsync(context.ConfigPath, ct) : null;

        var url = urlSetting is { } given ? ParseUrl(given.Value, given.Source)
            : Pick(config?.Url) is { } savedUrl ? ParseUrl(savedUrl, context.ConfigPath)
            : new Uri(DefaultUrl + "/");
        // Like the token, a saved CA is the saved server's.
        var savedFor = Pick(config?.Url) is not { } configUrl || SameServer(configUrl, url);
        var authority = authoritySetting ?? (Pick(config?.CaCertificate) is { } savedCa && savedFor ? (savedCa, context.ConfigPath) : null);
        if (tokenSetting is { } token) return new(url, token.Value, token.Source, authority);

        // The saved token belongs to the server it was saved with: pointing --url or INGOT_URL elsewhere must
        // not hand that server a credential for another one.
        if (Pick(config?.Token) is { } savedToken && savedFor)
            return new(url, savedToken, context.ConfigPath, authority);

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

    /// <summary>The CA named by --ca-certificate or INGOT_CA_CERTIFICATE, for verbs (login) that resolve the rest themselves.</summary>
    public static (string Path, string Source)? GivenAuthority(CliContext context, string? flag) =>
        First((flag, "--ca-certificate"), (context.Environment(AuthorityVariable), AuthorityVariable));

    private static (string Value, string Source)? First(params (string? Value, string Source)[] settings) =>
        settings.Where(s => Pick(s.Value) is not null).Select(s => ((string, string)?)(Pick(s.Value)!, s.Source)).FirstOrDefault();

    private static string? Pick(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
