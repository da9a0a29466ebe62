using Microsoft.AspNetCore.Routing;

namespace Ingot.Server.Inventory;

public static class RackEndpoints
{
    public static void MapRacks(this RouteGroupBuilder api) { }
}
