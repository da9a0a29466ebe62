namespace Ingot.Client;

public sealed partial class IngotClient
{
    public Task<IReadOnlyList<SiteView>> ListSitesAsync(CancellationToken ct = default) =>
        GetAsync<IReadOnlyList<SiteView>>("api/v1/sites", ct);
    public Task<SiteView> CreateSiteAsync(SiteCreate site, CancellationToken ct = default) =>
        PostAsync<SiteView>("api/v1/sites", site, ct);
    public Task<SiteView> GetSiteAsync(string name, CancellationToken ct = default) =>
        GetAsync<SiteView>($"api/v1/sites/{Segment(name)}", ct);
    /// <summary>Changes the fields given (absent ones stay; "" clears the description or the in-use hook).</summary>
    public Task<SiteView> UpdateSiteAsync(string name, SiteCreate update, CancellationToken ct = default) =>
        PatchAsync<SiteView>($"api/v1/sites/{Segment(name)}", update, ct);
    public Task DeleteSiteAsync(string name, CancellationToken ct = default) =>
        DeleteAsync($"api/v1/sites/{Segment(name)}", ct);

    public Task<IReadOnlyList<RackView>> ListRacksAsync(string? site = null, CancellationToken ct = default) =>
        GetAsync<IReadOnlyList<RackView>>("api/v1/racks" + Query(("site", site)), ct);
    public Task<RackView> CreateRackAsync(RackCreate rack, CancellationToken ct = default) =>
        PostAsync<RackView>("api/v1/racks", rack, ct);
    public Task DeleteRackAsync(long id, CancellationToken ct = default) =>
        DeleteAsync($"api/v1/racks/{id}", ct);

    public Task<IReadOnlyList<SkuView>> ListSkusAsync(CancellationToken ct = default) =>
        GetAsync<IReadOnlyList<SkuView>>("api/v1/skus", ct);
    public Task<SkuView> CreateSkuAsync(SkuCreate sku, CancellationToken ct = default) =>
        PostAsync<SkuView>("api/v1/skus", sku, ct);
    public Task<SkuView> GetSkuAsync(string name, CancellationToken ct = default) =>
        GetAsync<SkuView>($"api/v1/skus/{Segment(name)}", ct);
    /// <summary>Changes the fields given (absent ones stay; "" clears the description or boot mode).</summary>
    public Task<SkuView> UpdateSkuAsync(string name, SkuCreate update, CancellationToken ct = default) =>
        PatchAsync<SkuView>($"api/v1/skus/{Segment(name)}", update, ct);
    public Task DeleteSkuAsync(string name, CancellationToken ct = default) =>
        DeleteAsync($"api/v1/skus/{Segment(name)}", ct);

    public Task<IReadOnlyList<TeamView>> ListTeamsAsync(CancellationToken ct = default) =>
        GetAsync<IReadOnlyList<TeamView>>("api/v1/teams", ct);
    public Task<TeamView> CreateTeamAsync(TeamCreate team, CancellationToken ct = default) =>
        PostAsync<TeamView>("api/v1/teams", team, ct);
    public Task<UserView> AddTeamMemberAsync(string team, string user, CancellationToken ct = default) =>
        PostAsync<UserView>($"api/v1/teams/{Segment(team)}/members", new TeamMemberAdd(user), ct);
    public Task RemoveTeamMemberAsync(string team, string user, CancellationToken ct = default) =>
        DeleteAsync($"api/v1/teams/{Segment(team)}/members/{Segment(user)}", ct);
    public Task DeleteTeamAsync(string name, CancellationToken ct = default) =>
        DeleteAsync($"api/v1/teams/{Segment(name)}", ct);

    public Task<IReadOnlyList<RoleView>> ListRolesAsync(CancellationToken ct = default) =>
        GetAsync<IReadOnlyList<RoleView>>("api/v1/roles", ct);
    public Task<RoleView> CreateRoleAsync(RoleCreate role, CancellationToken ct = default) =>
        PostAsync<RoleView>("api/v1/roles", role, ct);
    /// <summary>Changes the fields given (absent ones stay; "" clears the description or the in-use hook).</summary>
    public Task<RoleView> UpdateRoleAsync(string name, RoleCreate update, CancellationToken ct = default) =>
        PatchAsync<RoleView>($"api/v1/roles/{Segment(name)}", update, ct);
    public Task DeleteRoleAsync(string name, CancellationToken ct = default) =>
        DeleteAsync($"api/v1/roles/{Segment(name)}", ct);
}
