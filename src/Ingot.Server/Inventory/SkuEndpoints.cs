using Microsoft.AspNetCore.Routing;

namespace Ingot.Server.Inventory;

public static class SkuEndpoints
{
    public static void MapSkus(this RouteGroupBuilder api) { }
}
