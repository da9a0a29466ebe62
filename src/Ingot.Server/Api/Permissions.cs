namespace Ingot.Server.Api;

/// <summary>Who may act on a machine, by action: the one table docs/authorization.md shows (a test holds the two
/// together). Admins and operators may do everything here; <see cref="Who.Team"/> adds the members of the team that
/// owns the machine's role. A machine without a role is the free pool, which only operators manage; viewers act on
/// nothing.</summary>
public static class Permissions
{
    public enum Who { Team, Operator }

    public static IReadOnlyList<(string Action, Who Who, string Why)> MachineActions { get; } =
    [
        ("power_on", Who.Team, "their own hardware"),
        ("power_off", Who.Team, "their own hardware"),
        ("power_cycle", Who.Team, "their own hardware"),
        ("reboot", Who.Team, "their own hardware"),
        ("set_boot_device", Who.Team, "their own hardware"),
        ("install", Who.Team, "a machine allocated to their role"),
        ("reimage", Who.Team, "their own machines; `force` on in_use ones"),
        ("wipe_disks", Who.Team, "their own machines; `force` on in_use ones"),
        ("recycle", Who.Team, "giving a machine back; `force` on in_use ones"),
        ("commission", Who.Operator, "admitting hardware into the fleet"),
        ("decommission", Who.Operator, "taking hardware out of the fleet"),
    ];

    public static Who For(string action) => MachineActions.FirstOrDefault(a => a.Action == action) is { Action: not null } row ? row.Who : Who.Operator;
}

/// <summary>Whose a machine is: the team that owns its role (both null for the free pool).</summary>
public sealed record MachineOwner(string Machine, string? Role, long? TeamId, string? Team, string? Site = null);
