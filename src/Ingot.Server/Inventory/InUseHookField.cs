using Ingot.Server.Api;

namespace Ingot.Server.Inventory;

/// <summary>The <c>in_use_hook</c> of a role or a site, as a request gives it: an absolute http(s) URL the server will
/// POST to before destructive actions (Jobs/InUseHooks, docs/authorization.md).</summary>
public static class InUseHookField
{
    public const string Field = "in_use_hook";

    /// <summary>The URL to store; "" when the request clears the hook; null when it leaves it as it is.</summary>
    public static string? Check(Validation v, string? value)
    {
        if (value is null) return null;
        var url = value.Trim();
        if (url.Length == 0) return "";
        v.When(!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0, Field,
            $"'{url}' is not an http:// or https:// URL; the server POSTs the machines to it before a destructive action.");
        return url;
    }
}
