using Microsoft.AspNetCore.Routing;

namespace Ingot.Server.Inventory;

public static class MachineImport
{
    public static void MapImport(this RouteGroupBuilder machines) { }
}
