using System.Text.Json;
using Ingot.Client;
using Ingot.Server.Data;

namespace Ingot.Server.Inventory;

/// <summary>An event about one machine (its state, its BMC's health), carrying the machine and the team that owns it
/// through its role as it stands in the writing transaction, for the filters of the event list and of subscriptions.</summary>
public static class MachineEvents
{
    public static Task WriteAsync(DataContext c, string type, long machineId, object data, DateTimeOffset now) =>
        c.ExecuteAsync(
            $"{Events.InsertColumns} SELECT @eventType, 1, @subject, @data, @eventAt, @machineId, NULL, {MachineOwners.TeamOf("@machineId")}, NULL",
            Events.Args(c, new { subject = $"machine:{machineId}", data = JsonSerializer.Serialize(data, IngotJson.Options), machineId }, type, now));
}
