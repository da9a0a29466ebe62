using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.SelfService;

/// <summary>Issue 12: a team's robot users, whose tokens act with the team's rights (docs/authorization.md).</summary>
public sealed class ServiceAccountTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    private async Task<MachineView> MachineAsync(string role) =>
        await Server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial(), Role: role,
            Bmc: new BmcInput("ipmi", "127.0.9.9", 623, "admin", "password")));

    private static async Task<Problem> RefusedAsync(Task task) => (await Assert.ThrowsAsync<IngotApiException>(() => task)).Problem;

    [Fact]
    public async Task A_member_makes_a_service_account_of_their_team_that_acts_on_the_teams_machines_and_not_on_others()
    {
        var (member, team, role) = await Accounts.TeamMemberAsync(Server);
        var (_, otherTeam, otherRole) = await Accounts.TeamMemberAsync(Server);
        var mine = await MachineAsync(role);
        var theirs = await MachineAsync(otherRole);

        var robot = await member.Client.CreateUserAsync(new UserCreate(Unique.Name("deployer"), ServiceOf: team));
        Assert.Equal(team, robot.ServiceOf);
        Assert.Equal([team], robot.Teams);
        Assert.Equal(team, Assert.Single(await Server.Admin.ListUsersAsync(), u => u.Name == robot.Name).ServiceOf);
        var token = await member.Client.CreateTokenAsync(new TokenCreate("ci", robot.Name));
        var ci = Server.Client(token.Token);
        var me = await ci.WhoAmIAsync();
        Assert.Equal((robot.Name, team), (me.Name, me.ServiceOf));

        Assert.Equal(robot.Name, (await ci.SubmitJobAsync(mine.HardwareName, JobActions.PowerCycle)).User);
        var refused = await RefusedAsync(ci.SubmitJobAsync(theirs.HardwareName, JobActions.PowerCycle));
        Assert.Equal(403, refused.Status);
        Assert.Contains($"belongs to team {otherTeam}", refused.Detail);
        Assert.Contains($"'{robot.Name}' is a service account of {team}", refused.Detail);
        // A robot makes no users: the team's people do.
        Assert.Equal(403, (await RefusedAsync(ci.CreateUserAsync(new UserCreate(Unique.Name("child"), ServiceOf: team)))).Status);
        // The audit names the robot that acted, which the users list shows to be the team's service account.
        var acted = (await Server.Admin.ListAuditAsync(actor: robot.Name)).Items;
        Assert.Contains(acted, e => e.Action == "POST /api/v1/machines/{id}/jobs" && e.Status == 202);
        Assert.Contains(acted, e => e.Action == "POST /api/v1/machines/{id}/jobs" && e.Status == 403);
    }

    [Fact]
    public async Task Only_an_admin_or_a_member_of_the_team_may_make_its_service_account_or_its_tokens()
    {
        var (member, team, _) = await Accounts.TeamMemberAsync(Server);
        var (outsider, _, _) = await Accounts.TeamMemberAsync(Server);

        var refused = await RefusedAsync(outsider.Client.CreateUserAsync(new UserCreate(Unique.Name("intruder"), ServiceOf: team)));
        Assert.Equal(403, refused.Status);
        Assert.Contains($"Creating a service account of team '{team}' needs an admin or a member of that team", refused.Detail);

        var robot = await Server.Admin.CreateUserAsync(new UserCreate(Unique.Name("bot"), ServiceOf: team));
        Assert.Equal(403, (await RefusedAsync(outsider.Client.CreateTokenAsync(new TokenCreate("steal", robot.Name)))).Status);
        // A person of the team is not the teammate's to impersonate: only service accounts.
        Assert.Equal(403, (await RefusedAsync(outsider.Client.CreateTokenAsync(new TokenCreate("steal", member.Name)))).Status);
        Assert.Equal(robot.Name, (await member.Client.CreateTokenAsync(new TokenCreate("mine", robot.Name))).User);
    }

    [Fact]
    public async Task A_service_account_with_a_grant_or_other_teams_or_of_no_team_is_422()
    {
        var (_, team, _) = await Accounts.TeamMemberAsync(Server);
        var (_, other, _) = await Accounts.TeamMemberAsync(Server);
        var refused = await RefusedAsync(Server.Admin.CreateUserAsync(new UserCreate(Unique.Name("bot"), true, [other], "operator", team)));
        Assert.Equal(422, refused.Status);
        Assert.Equal(["admin", "grant", "teams"], refused.Errors!.Keys.Order());
        var missing = await RefusedAsync(Server.Admin.CreateUserAsync(new UserCreate(Unique.Name("bot"), ServiceOf: "no-such-team")));
        Assert.Contains("no team 'no-such-team' exists", Assert.Single(missing.Errors!["service_of"]));
    }

    [Fact]
    public async Task A_teams_members_see_and_revoke_its_robots_tokens_and_a_leavers_tokens_go_with_their_membership()
    {
        var (alice, team, role) = await Accounts.TeamMemberAsync(Server);
        var bob = await Accounts.CreateAsync(Server, false, team);
        var (outsider, _, _) = await Accounts.TeamMemberAsync(Server);
        var mine = await MachineAsync(role);
        var robot = await alice.Client.CreateUserAsync(new UserCreate(Unique.Name("deployer"), ServiceOf: team));
        var alices = await alice.Client.CreateTokenAsync(new TokenCreate("by-alice", robot.Name));
        var bobs = await bob.Client.CreateTokenAsync(new TokenCreate("by-bob", robot.Name));
        Assert.Equal(alice.Name, alices.CreatedBy);

        // Bob sees both of the robot's tokens, who made each, and may revoke Alice's; an outsider sees neither.
        var seen = (await bob.Client.ListTokensAsync()).Where(t => t.User == robot.Name).ToDictionary(t => t.Name, t => t.CreatedBy);
        Assert.Equal(new Dictionary<string, string?> { ["by-alice"] = alice.Name, ["by-bob"] = bob.Name }, seen);
        Assert.DoesNotContain(await outsider.Client.ListTokensAsync(), t => t.User == robot.Name);
        Assert.Equal(404, (await RefusedAsync(outsider.Client.DeleteTokenAsync(bobs.Id))).Status);
        var spare = await alice.Client.CreateTokenAsync(new TokenCreate("spare", robot.Name));
        await bob.Client.DeleteTokenAsync(spare.Id);

        // Alice leaves the team: the robot token she made stops at once; Bob's goes on working.
        await Server.Admin.RemoveTeamMemberAsync(team, alice.Name);
        Assert.Equal(401, (await RefusedAsync(Server.Client(alices.Token).SubmitJobAsync(mine.HardwareName, JobActions.PowerCycle))).Status);
        Assert.Equal(robot.Name, (await Server.Client(bobs.Token).SubmitJobAsync(mine.HardwareName, JobActions.PowerCycle)).User);
        Assert.Equal(["by-bob"], (await bob.Client.ListTokensAsync()).Where(t => t.User == robot.Name).Select(t => t.Name));
        // The robot itself stays in its team, and so keeps its team's name in whoami.
        var stays = await RefusedAsync(Server.Admin.RemoveTeamMemberAsync(team, robot.Name));
        Assert.Equal(409, stays.Status);
        Assert.Contains($"is a service account of team '{team}'", stays.Detail);
        Assert.Equal(team, (await Server.Client(bobs.Token).WhoAmIAsync()).ServiceOf);
    }
}
