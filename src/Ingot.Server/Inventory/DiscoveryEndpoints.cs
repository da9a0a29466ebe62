using Microsoft.AspNetCore.Routing;

namespace Ingot.Server.Inventory;

public static class DiscoveryEndpoints
{
    public static void MapDiscovery(this RouteGroupBuilder api) { }
}
