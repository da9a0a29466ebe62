using Microsoft.AspNetCore.Http;

namespace Ingot.Server.Hosting;

/// <summary>The paths the API's middleware chain serves (tokens, the permission table, audit, problem details): the
/// API, the boot door, metrics, health and the OpenAPI document. Every other path is the portal's.</summary>
internal static class ApiPaths
{
    private static readonly PathString[] Prefixes = ["/api", "/boot", "/metrics", "/healthz", "/readyz", "/openapi"];

    public static bool Matches(PathString path)
    {
        foreach (var prefix in Prefixes)
            if (path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }
}
