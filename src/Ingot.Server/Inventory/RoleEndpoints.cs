using Microsoft.AspNetCore.Routing;

namespace Ingot.Server.Inventory;

public static class RoleEndpoints
{
    public static void MapRoles(this RouteGroupBuilder api) { }
}
