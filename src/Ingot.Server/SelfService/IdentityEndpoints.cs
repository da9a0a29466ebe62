using Microsoft.AspNetCore.Routing;

namespace Ingot.Server.SelfService;

/// <summary>Who may use the API: teams, users, their tokens, and the audit log of what they did.</summary>
public static class IdentityEndpoints
{
    public static void MapIdentity(this RouteGroupBuilder api)
    {
        api.MapTeams();
        api.MapUsers();
        api.MapTokens();
        api.MapAuditLog();
    }
}
