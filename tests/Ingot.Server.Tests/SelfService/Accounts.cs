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
}
