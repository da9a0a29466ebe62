using System.Text.Json;
using Dapper;
using Ingot.Client;

namespace Ingot.Server.Data;

/// <summary>What an event is about, beyond its subject, for the filters of the event list and of subscriptions: the
/// machine, the batch, the team whose machine or request it is, and who asked for the work.</summary>
public sealed record EventAbout(long? MachineId = null, long? BatchId = null, string? Team = null, string? User = null);

/// <summary>The event log (an outbox): a row per thing that happened, written by the feature in the transaction of the
/// change, so an event exists exactly when its change committed. Types are named "noun.what_happened" and versioned
/// (docs/events.md has each with an example); Notifications/ reads, streams and delivers them.</summary>
public static class Events
{
    /// <summary>The columns every writer fills, for features that write events with INSERT … SELECT
    /// (<see cref="InsertColumns"/> then a SELECT of the same values in this order).</summary>
    public const string InsertColumns = "INSERT INTO events (type, version, subject, data, at, machine_id, batch_id, team, user_name)";

    public static Task WriteAsync(DataContext c, string type, string subject, object data, DateTimeOffset at, EventAbout? about = null, int version = 1) =>
        c.ExecuteAsync(InsertColumns + " VALUES (@type, @version, @subject, @data, @at, @machine, @batch, @team, @user)",
            new
            {
                type, version, subject, data = JsonSerializer.Serialize(data, IngotJson.Options), at,
                machine = about?.MachineId, batch = about?.BatchId, team = about?.Team, user = about?.User,
            });

    /// <summary>Deletes events older than <paramref name="before"/> (retention), oldest first, in short batches.</summary>
    public static Task<long> PruneAsync(Database db, DateTimeOffset before, int batch, CancellationToken ct) =>
        Pruning.DeleteOlderAsync(db, "events", before, batch, ct);

    /// <summary>Parameters of an INSERT … SELECT writer with the event's type and time added.</summary>
    public static DynamicParameters Args(DataContext c, object args, string type, DateTimeOffset at)
    {
        var all = new DynamicParameters(args);
        all.Add("eventType", type);
        all.Add("eventAt", DapperSetup.Stored(c, at));
        return all;
    }
}
