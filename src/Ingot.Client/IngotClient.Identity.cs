namespace Ingot.Client;

public sealed partial class IngotClient
{
    /// <summary>GET /healthz: "ok" while the server process is up (no token needed).</summary>
    public async Task<string> HealthAsync(CancellationToken ct = default)
    {
        using var response = await http.GetAsync("healthz", ct);
        await ThrowIfProblemAsync(response, ct);
        return await response.Content.ReadAsStringAsync(ct);
    }

    public Task<WhoAmI> WhoAmIAsync(CancellationToken ct = default) => GetAsync<WhoAmI>("api/v1/whoami", ct);

    public Task<IReadOnlyList<UserView>> ListUsersAsync(CancellationToken ct = default) =>
        GetAsync<IReadOnlyList<UserView>>("api/v1/users", ct);
    public Task<UserView> CreateUserAsync(UserCreate user, CancellationToken ct = default) =>
        PostAsync<UserView>("api/v1/users", user, ct);
    public Task<UserView> UpdateUserAsync(string name, UserUpdate update, CancellationToken ct = default) =>
        PatchAsync<UserView>($"api/v1/users/{Segment(name)}", update, ct);

    public Task<UserView> GetUserAsync(string name, CancellationToken ct = default) => GetAsync<UserView>($"api/v1/users/{Segment(name)}", ct);

    /// <summary>Disables a user (an admin's call): their tokens are revoked and no sign-in works until <see cref="EnableUserAsync"/>.</summary>
    public Task<UserView> DisableUserAsync(string name, CancellationToken ct = default) =>
        PostAsync<UserView>($"api/v1/users/{Segment(name)}/disable", null, ct);

    public Task<UserView> EnableUserAsync(string name, CancellationToken ct = default) =>
        PostAsync<UserView>($"api/v1/users/{Segment(name)}/enable", null, ct);

    public Task<IReadOnlyList<TokenView>> ListTokensAsync(CancellationToken ct = default) =>
        GetAsync<IReadOnlyList<TokenView>>("api/v1/tokens", ct);
    public Task<SignInMethods> GetSignInMethodsAsync(CancellationToken ct = default) => GetAsync<SignInMethods>("api/v1/login", ct);

    /// <summary>Signs in with the directory's user and password (no token needed): an expiring token for that user.</summary>
    public Task<TokenCreated> LoginLdapAsync(string user, string password, CancellationToken ct = default) =>
        PostAsync<TokenCreated>("api/v1/login/ldap", new DirectoryLogin(user, password), ct);

    public Task<TokenCreated> CreateTokenAsync(TokenCreate token, CancellationToken ct = default) =>
        PostAsync<TokenCreated>("api/v1/tokens", token, ct);
    public Task DeleteTokenAsync(long id, CancellationToken ct = default) =>
        DeleteAsync($"api/v1/tokens/{id}", ct);

    public Task<Page<AuditEntry>> ListAuditAsync(string? actor = null, int? limit = null, string? after = null, CancellationToken ct = default) =>
        GetAsync<Page<AuditEntry>>("api/v1/audit" + Query(("actor", actor), ("limit", limit), ("after", after)), ct);
}
