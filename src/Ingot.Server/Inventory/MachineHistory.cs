using Ingot.Client;
using Ingot.Server.Api;
using Ingot.Server.Data;

namespace Ingot.Server.Inventory;

/// <summary>A machine's lifecycle history, oldest first: all of it (the API), or its latest moves (a ticket's evidence).</summary>
public static class MachineHistory
{
    public static async Task<List<HistoryEntry>> ReadAsync(DataContext c, long machineId, int? latest = null)
    {
        var rows = (await c.QueryAsync<HistoryRow>(
            "SELECT id, from_state, to_state, trigger, actor, reason, at FROM state_history WHERE machine_id = @machineId ORDER BY id DESC LIMIT @n",
            new { machineId, n = latest ?? int.MaxValue })).Select(r => r.View()).ToList();
        rows.Reverse();
        return rows;
    }

    private sealed class HistoryRow
    {
        public long Id { get; init; }
        public string? FromState { get; init; }
        public string ToState { get; init; } = "";
        public string Trigger { get; init; } = "";
        public string Actor { get; init; } = "";
        public string? Reason { get; init; }
        public DateTimeOffset At { get; init; }

        public HistoryEntry View()
        {
            MachineState? from = Wire.TryParse<MachineState>(FromState, out var f) ? f : null;
            Wire.TryParse<MachineState>(ToState, out var to);
            return new HistoryEntry(Id, from, to, Trigger, Actor, Reason, At);
        }
    }
}
