using System.Text;
using Dapper;
using Ingot.Server.Api;

namespace Ingot.Server.Notifications;

/// <summary>Which events: type names or patterns ("batch.*", "*"), a subject, a machine, a batch (its own events and its
/// jobs'), a team (of the machine, role or request), a user (who asked for the work). The same filter serves the event
/// list, its stream and subscriptions; empty parts match everything.</summary>
public sealed record EventFilter(IReadOnlyList<string> Types, string? Subject = null, long? Machine = null, long? Batch = null, string? Team = null,
                                 string? User = null)
{
    public static readonly EventFilter All = new(["*"]);

    /// <summary>The comma-separated patterns, each checked against the catalog (problems into <paramref name="v"/> under
    /// <paramref name="field"/>); none: every type.</summary>
    public static IReadOnlyList<string> Patterns(string? text, EventCatalog catalog, Validation v, string field)
    {
        if (string.IsNullOrWhiteSpace(text)) return ["*"];
        var patterns = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct().ToList();
        if (patterns.Count > 50) v.Add(field, "names more than 50 types.");
        foreach (var problem in patterns.Select(catalog.Problem).OfType<string>()) v.Add(field, problem);
        return patterns.Count == 0 ? ["*"] : patterns;
    }

    /// <summary>The filter as conditions on <c>e</c> (the events table), appended to <paramref name="where"/>.</summary>
    public void AppendTo(StringBuilder where, DynamicParameters args)
    {
        if (!Types.Contains("*"))
        {
            var parts = new List<string>();
            for (var i = 0; i < Types.Count; i++)
            {
                var t = Types[i];
                if (t.EndsWith(".*", StringComparison.Ordinal)) { parts.Add($"e.type LIKE @type{i}"); args.Add($"type{i}", t[..^1] + "%"); }
                else { parts.Add($"e.type = @type{i}"); args.Add($"type{i}", t); }
            }
            where.Append(" AND (").Append(string.Join(" OR ", parts)).Append(')');
        }
        if (Subject is not null) { where.Append(" AND e.subject = @subject"); args.Add("subject", Subject); }
        if (Machine is not null) { where.Append(" AND e.machine_id = @machine"); args.Add("machine", Machine); }
        if (Batch is not null) { where.Append(" AND e.batch_id = @batch"); args.Add("batch", Batch); }
        if (Team is not null) { where.Append(" AND e.team = @team"); args.Add("team", Team); }
        if (User is not null) { where.Append(" AND e.user_name = @user"); args.Add("user", User); }
    }

    /// <summary>The same test in memory, for an event already read (a subscription's filter on the stream).</summary>
    public bool Matches(EventRow e) =>
        (Types.Contains("*") || Types.Any(t => t.EndsWith(".*", StringComparison.Ordinal) ? e.Type.StartsWith(t[..^1], StringComparison.Ordinal) : e.Type == t))
        && (Subject is null || e.Subject == Subject) && (Machine is null || e.MachineId == Machine) && (Batch is null || e.BatchId == Batch)
        && (Team is null || e.Team == Team) && (User is null || e.UserName == User);
}
