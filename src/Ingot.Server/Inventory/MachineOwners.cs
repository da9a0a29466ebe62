using Ingot.Server.Api;
using Ingot.Server.Data;

namespace Ingot.Server.Inventory;

/// <summary>Whose a machine is (issue 12): the team that owns its role; a machine without a role is the free pool.</summary>
public static class MachineOwners
{
    /// <summary>The columns that name a machine's owner, for queries that read machines anyway (a batch's hosts): join
    /// <see cref="Joins"/> on <c>m</c>.</summary>
    public const string Columns = "r.name AS owner_role, r.team_id AS owner_team_id, t.name AS owner_team, os.name AS owner_site";

    public const string Joins = "LEFT JOIN roles r ON r.id = m.role_id LEFT JOIN teams t ON t.id = r.team_id LEFT JOIN sites os ON os.id = m.site_id";

    /// <summary>The two values of a state_history row's <c>role, team</c>: the owner of the machine whose id is
    /// <paramref name="machineId"/> (an SQL expression) as it stands after the change. Cost counts machine-hours by them.</summary>
    public static string HistoryOwner(string machineId) =>
        $"(SELECT hr.name FROM machines hm JOIN roles hr ON hr.id = hm.role_id WHERE hm.id = {machineId}), {TeamOf(machineId)}";

    /// <summary>The name of the team that owns the machine whose id is <paramref name="machineId"/> (an SQL expression)
    /// through its role, or NULL: for the events about it.</summary>
    public static string TeamOf(string machineId) =>
        $"(SELECT ot.name FROM machines om JOIN roles orl ON orl.id = om.role_id JOIN teams ot ON ot.id = orl.team_id WHERE om.id = {machineId})";

    public static async Task<MachineOwner> ReadAsync(DataContext c, long machineId)
    {
        var row = await c.QuerySingleAsync<OwnerRow>(
            $"SELECT COALESCE(m.hostname, m.hardware_name) AS machine, {Columns} FROM machines m {Joins} WHERE m.id = @machineId", new { machineId });
        return new MachineOwner(row.Machine, row.OwnerRole, row.OwnerTeamId, row.OwnerTeam, row.OwnerSite);
    }

    private sealed class OwnerRow
    {
        public string Machine { get; init; } = "";
        public string? OwnerRole { get; init; }
        public long? OwnerTeamId { get; init; }
        public string? OwnerTeam { get; init; }
        public string? OwnerSite { get; init; }
    }
}
