using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.SelfService;

/// <summary>Users and tokens made the way an operator makes them: through the API, as the admin.</summary>
public static class Accounts
{
    public sealed record Account(string Name, string Token, IngotClient Client);

    public static async Task<Account> CreateAsync(TestServer server, bool admin = false, params string[] teams)
    {
        var user = await server.Admin.CreateUserAsync(new UserCreate(Unique.Name("user"), admin, teams));
        var token = await server.Admin.CreateTokenAsync(new TokenCreate("test", user.Name));
        return new Account(user.Name, token.Token, server.Client(token.Token));
    }

    /// <summary>A member of a new team that owns a new role: the machines given that role are theirs to act on
    /// (docs/authorization.md).</summary>
    public static async Task<(Account User, string Team, string Role)> TeamMemberAsync(TestServer server)
    {
        var team = (await server.Admin.CreateTeamAsync(new TeamCreate(Unique.Name("team")))).Name;
        var role = (await server.Admin.CreateRoleAsync(new RoleCreate(Unique.Name("role"), team))).Name;
        return (await CreateAsync(server, false, team), team, role);
    }

    /// <summary>A user with a global grant (operator, viewer) and no team.</summary>
    public static async Task<Account> WithGrantAsync(TestServer server, string grant)
    {
        var user = await server.Admin.CreateUserAsync(new UserCreate(Unique.Name(grant), Grant: grant));
        var token = await server.Admin.CreateTokenAsync(new TokenCreate("test", user.Name));
        return new Account(user.Name, token.Token, server.Client(token.Token));
    }
}
