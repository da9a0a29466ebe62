using Microsoft.AspNetCore.Routing;

namespace Ingot.Server.SelfService;

public static class IdentityEndpoints
{
    public static void MapIdentity(this RouteGroupBuilder api) { }
}
