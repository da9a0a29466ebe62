using System.Text.Json;
using Ingot.Client;

namespace Ingot.Server.Data;

/// <summary>The event log (an outbox): a row per thing that happened, written by the feature in the transaction of the
/// change, so an event exists exactly when its change committed. Issue 14 reads and delivers them; types are named
/// "noun.what_happened" and documented with the feature that writes them (docs/requests.md for leases).</summary>
public static class Events
{
    public static Task WriteAsync(DataContext c, string type, string subject, object data, DateTimeOffset at) =>
        c.ExecuteAsync("INSERT INTO events (type, subject, data, at) VALUES (@type, @subject, @data, @at)",
            new { type, subject, data = JsonSerializer.Serialize(data, IngotJson.Options), at });
}
