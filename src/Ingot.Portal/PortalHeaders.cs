using Microsoft.AspNetCore.Http;

namespace Ingot.Portal;

/// <summary>Headers on every portal answer: only the server's own scripts, styles and images, no framing, no caching of
/// pages that show a user's machines, no referrer outside the origin.</summary>
internal static class PortalHeaders
{
    private const string Policy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";

    public static Task AddAsync(HttpContext context, RequestDelegate next)
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = Policy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
            if (!context.Request.Path.StartsWithSegments("/portal/assets")) headers.CacheControl = "no-store";
            return Task.CompletedTask;
        });
        return next(context);
    }
}
