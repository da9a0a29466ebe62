using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Api;

namespace Ingot.Server.Inventory;

/// <summary>Refused because the lifecycle table has no row for (current state, trigger).</summary>
public sealed class IllegalTransitionException(string machine, MachineState current, Trigger trigger, IReadOnlyList<Trigger> allowed)
    : IngotException($"Machine {machine} is '{Wire.Name(current)}': '{Wire.Name(trigger)}' is not allowed from there. " +
                     (allowed.Count == 0 ? "No trigger is allowed from this state." : $"Allowed: {string.Join(", ", allowed.Select(Wire.Name))}."))
{
    public override int Status => 409;
    public override string Slug => "illegal-transition";
    public override string Title => "Illegal transition";
    public override IReadOnlyDictionary<string, object?> Extensions { get; } = new Dictionary<string, object?>
    {
        ["current_state"] = Wire.Name(current),
        ["trigger"] = Wire.Name(trigger),
        ["allowed_triggers"] = allowed.Select(Wire.Name).ToArray(),
    };
}

/// <summary>Moves machines through the lifecycle. The state is read under a row lock (PostgreSQL) or
/// inside SQLite's exclusive write transaction, checked against <see cref="Lifecycle"/>, changed, and the
/// history row written — all in one transaction, so concurrent triggers on one machine serialise and
/// each sees the state the previous one left.</summary>
public static class Transitions
{
    /// <summary>The event of every move (docs/events.md), written with its history row.</summary>
    public const string StateChanged = "machine.state_changed";

    public static async Task<MachineState> ApplyAsync(
        DataContext c, long machineId, Trigger trigger, string actor, string? reason, DateTimeOffset now)
    {
        var row = await c.QuerySingleOrDefaultAsync<(string HardwareName, string State, string? Hostname)>(
            "SELECT hardware_name, state, hostname FROM machines WHERE id = @machineId" + Sql.ForUpdate(c), new { machineId });
        if (row.HardwareName is null) throw new NotFoundException("machine", machineId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!Wire.TryParse<MachineState>(row.State, out var from))
            throw new InvalidOperationException($"Machine {row.HardwareName} has unknown state '{row.State}' in the database.");
        if (!Lifecycle.TryNext(from, trigger, out var to))
            throw new IllegalTransitionException(row.HardwareName, from, trigger, Lifecycle.Allowed(from));

        await c.ExecuteAsync(
            "UPDATE machines SET state = @to, version = version + 1, updated_at = @now WHERE id = @machineId",
            new { to = Wire.Name(to), now, machineId });
        await c.ExecuteAsync(
            $"""
            INSERT INTO state_history (machine_id, from_state, to_state, trigger, actor, reason, at, role, team)
            VALUES (@machineId, @from, @to, @trigger, @actor, @reason, @now, {MachineOwners.HistoryOwner("@machineId")})
            """,
            new { machineId, from = Wire.Name(from), to = Wire.Name(to), trigger = Wire.Name(trigger), actor, reason, now });
        var data = new
        {
            MachineId = machineId, Machine = row.Hostname ?? row.HardwareName, From = Wire.Name(from), To = Wire.Name(to),
            Trigger = Wire.Name(trigger), Actor = actor, Reason = reason,
        };
        await MachineEvents.WriteAsync(c, StateChanged, machineId, data, now);
        return to;
    }

    /// <summary>Applies the transition unless the machine's last recorded one is exactly it, by the same actor, and the
    /// machine is still where it led: then returns that state. For a job resumed after its node died, which may have
    /// made this transition already without recording its step.</summary>
    public static async Task<MachineState> ApplyOnceAsync(
        DataContext c, long machineId, Trigger trigger, string actor, string? reason, DateTimeOffset now)
    {
        var last = await c.QueryFirstOrDefaultAsync<(string Trigger, string Actor, string ToState)>(
            "SELECT trigger, actor, to_state FROM state_history WHERE machine_id = @machineId ORDER BY id DESC LIMIT 1", new { machineId });
        var state = await c.ExecuteScalarAsync<string>("SELECT state FROM machines WHERE id = @machineId", new { machineId });
        if (last.Actor == actor && last.Trigger == Wire.Name(trigger) && last.ToState == state && Wire.TryParse<MachineState>(state, out var reached))
            return reached;
        return await ApplyAsync(c, machineId, trigger, actor, reason, now);
    }

    /// <summary>Applies the transition if the machine's state allows it; returns false (and changes nothing) if not.</summary>
    public static async Task<bool> TryApplyAsync(
        DataContext c, long machineId, Trigger trigger, string actor, string? reason, DateTimeOffset now)
    {
        var state = await c.ExecuteScalarAsync<string>("SELECT state FROM machines WHERE id = @machineId", new { machineId });
        if (!Wire.TryParse<MachineState>(state, out var current) || !Lifecycle.TryNext(current, trigger, out _)) return false;
        await ApplyAsync(c, machineId, trigger, actor, reason, now);
        return true;
    }
}
