using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Ingot.Server.Api;

/// <summary>Who is making the request, as established by the authentication scheme (SelfService/TokenAuthentication).</summary>
public sealed record Caller(long UserId, string Name, bool Admin)
{
    public const string UserIdClaim = "ingot:user_id";
    public const string AdminClaim = "ingot:admin";

    public static Caller From(HttpContext context) => From(context.User);

    public static Caller From(ClaimsPrincipal user) => new(
        long.Parse(user.FindFirstValue(UserIdClaim) ?? "0", System.Globalization.CultureInfo.InvariantCulture),
        user.Identity?.Name ?? "anonymous",
        user.HasClaim(AdminClaim, "true"));

    /// <summary>Baseline authorisation until team/role rules arrive: changing the inventory needs an admin.</summary>
    public void RequireAdmin(string action)
    {
        if (!Admin) throw new ForbiddenException($"{action} needs an admin token; '{Name}' is not an admin.");
    }
}
