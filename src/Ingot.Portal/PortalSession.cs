using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Ingot.Client;
using Microsoft.AspNetCore.Http;

namespace Ingot.Portal;

/// <summary>A signed-in browser: an authentication cookie (HttpOnly, SameSite=Strict, Secure over HTTPS) that carries the
/// user's Ingot token, sealed by ASP.NET Core Data Protection. The token is the session's only right: the portal holds
/// no other.</summary>
public static class PortalSession
{
    public const string Scheme = "ingot-portal";
    public const string Policy = "ingot-portal";
    private const string TokenClaim = "ingot:token";

    public static string? TokenOf(ClaimsPrincipal user) => user.FindFirst(TokenClaim)?.Value;

    public static string NameOf(ClaimsPrincipal user) => user.Identity?.Name ?? "";

    public static Task SignInAsync(HttpContext http, WhoAmI me, string token, TimeSpan lifetime)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, me.Name), new Claim(TokenClaim, token)], Scheme);
        var now = DateTimeOffset.UtcNow;
        var ends = me.TokenExpiresAt is { } expires && expires < now + lifetime ? expires : now + lifetime;
        return http.SignInAsync(Scheme, new ClaimsPrincipal(identity), new AuthenticationProperties { IssuedUtc = now, ExpiresUtc = ends, IsPersistent = false });
    }

    public static Task SignOutAsync(HttpContext http) => http.SignOutAsync(Scheme);

    internal static void Configure(CookieAuthenticationOptions o, PortalOptions options)
    {
        o.Cookie.Name = "ingot_session";
        o.Cookie.HttpOnly = true;
        o.Cookie.SameSite = SameSiteMode.Strict;
        o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        o.LoginPath = "/sign-in";
        o.AccessDeniedPath = "/sign-in";
        o.ExpireTimeSpan = options.SessionLifetime;
        o.SlidingExpiration = false;
    }
}
