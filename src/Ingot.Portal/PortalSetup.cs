using Ingot.Portal.Components;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ingot.Portal;

/// <summary>What the composition root calls: the portal's services, its own middleware (on its branch of the pipeline:
/// the API's token, permission table and audit stay the API's) and its endpoints.</summary>
public static class PortalSetup
{
    public static IServiceCollection AddIngotPortal(this IServiceCollection services, PortalOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<PortalApi>();
        services.AddRazorComponents();
        services.AddDataProtection().SetApplicationName("ingot-portal");
        services.AddOptions<KeyManagementOptions>().Configure<IServiceProvider>((o, provider) => o.XmlRepository = options.KeyRing(provider));
        services.AddAuthentication().AddCookie(PortalSession.Scheme, o => PortalSession.Configure(o, options));
        services.AddAuthorizationBuilder().AddPolicy(PortalSession.Policy, p => p.AddAuthenticationSchemes(PortalSession.Scheme).RequireAuthenticatedUser());
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "ingot_csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = Microsoft.AspNetCore.Http.CookieSecurePolicy.SameAsRequest;
        });
        return services;
    }

    /// <summary>How the portal's answers differ from the API's (for requests that are not the API's: Hosting decides which
    /// are): its security headers, and an HTML page for a status without a body. Authentication, authorization and
    /// antiforgery are the host's one chain.</summary>
    public static void UseIngotPortalResponses(this IApplicationBuilder app)
    {
        app.Use(PortalHeaders.AddAsync);
        app.UseStatusCodePagesWithReExecute("/not-found");
    }

    public static void MapIngotPortal(this IEndpointRouteBuilder app)
    {
        app.MapGet("/portal/assets/{name}", PortalAssets.Serve).AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/sign-out", async (HttpContext http) =>
        {
            await PortalSession.SignOutAsync(http);
            return Results.Redirect("/sign-in");
        }).WithMetadata(new RequireAntiforgeryTokenAttribute()).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/portal/live/jobs/{id:long}", LiveParts.JobAsync).RequireAuthorization(PortalSession.Policy).ExcludeFromDescription();
        app.MapGet("/portal/live/batches/{id:long}", LiveParts.BatchAsync).RequireAuthorization(PortalSession.Policy).ExcludeFromDescription();
        app.MapGet("/portal/live/requests/{id:long}", LiveParts.RequestAsync).RequireAuthorization(PortalSession.Policy).ExcludeFromDescription();
        app.MapGet("/portal/live/pools/{id:long}", LiveParts.PoolAsync).RequireAuthorization(PortalSession.Policy).ExcludeFromDescription();
        app.MapRazorComponents<App>().RequireAuthorization(PortalSession.Policy);
    }
}
