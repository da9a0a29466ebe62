using Ingot.Client;
using Ingot.Server.Api;

namespace Ingot.Commands.Demo;

/// <summary>A team member for the tour (issue 12): alice of team web, with a token of her own, so the banner can show
/// what self-service looks like from a team's side: her team's machines, and a refusal on another team's.</summary>
/// <param name="Foreign">A running machine of another team, which she may not touch.</param>
internal sealed record SampleMember(string Name, string Team, string Token, string? Foreign)
{
    public const string User = "alice", TeamName = "web";

    /// <summary>Made on the first start; on later ones her token is read back from DATA/member-token (0600, like the
    /// admin's), or made again if that file is gone.</summary>
    public static async Task<SampleMember?> EnsureAsync(IngotClient client, string dataDirectory, CancellationToken ct)
    {
        if (!(await client.ListTeamsAsync(ct)).Any(t => t.Name == TeamName)) return null; // an inventory that is not the sample's
        if (!(await client.ListUsersAsync(ct)).Any(u => u.Name == User))
            await client.CreateUserAsync(new UserCreate(User, Teams: [TeamName]), ct);
        var path = Path.Combine(dataDirectory, "member-token");
        var token = File.Exists(path) ? (await File.ReadAllTextAsync(path, ct)).Trim() : null;
        if (token is null)
        {
            token = (await client.CreateTokenAsync(new TokenCreate("demo", User), ct)).Token;
            await PrivateFiles.WriteAsync(path, token + "\n", ct);
        }
        var foreign = (await client.SearchMachinesAsync(new MachineQuery(State: "in_use", Limit: 50), ct)).Items
            .FirstOrDefault(m => m.Team is not null && m.Team != TeamName);
        return new SampleMember(User, TeamName, token, foreign?.Hostname ?? foreign?.HardwareName);
    }
}
