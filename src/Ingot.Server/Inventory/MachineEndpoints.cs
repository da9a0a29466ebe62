using Microsoft.AspNetCore.Routing;

namespace Ingot.Server.Inventory;

public static class MachineEndpoints
{
    public static void MapMachines(this RouteGroupBuilder api) { }
}
