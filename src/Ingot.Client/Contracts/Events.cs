using System.Text.Json;

namespace Ingot.Client;

/// <summary>Something that happened (docs/events.md): <c>type</c> "noun.what_happened" at <c>version</c>, about
/// <c>subject</c> ("job:12", "batch:7", "machine:3", "request:5"), with the type's <c>data</c>. <c>machine_id</c>,
/// <c>batch_id</c>, <c>team</c> and <c>user</c> (who asked for the work) are what the filters match. <c>id</c> is the
/// cursor: the stream's Last-Event-ID and the list's <c>after</c>. <c>summary</c>: the event in one sentence, as chat
/// messages and e-mail subjects say it.</summary>
public sealed record EventView(long Id, string Type, int Version, string Subject, DateTimeOffset At, JsonElement Data,
                               long? MachineId, long? BatchId, string? Team, string? User, string Summary = "");

/// <summary>Filters of GET /api/v1/events and its stream. <c>Types</c>: comma-separated names or patterns
/// ("job.failed,batch.*").</summary>
public sealed record EventQuery(string? Types = null, string? Subject = null, long? Machine = null, long? Batch = null, string? Team = null,
                                string? User = null, DateTimeOffset? Since = null, long? After = null, int? Limit = null);
