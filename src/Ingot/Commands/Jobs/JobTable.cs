using System.Globalization;
using System.Text.Json;
using Ingot.Client;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Ingot.Commands.Jobs;

/// <summary>How jobs look in table output: one row each in listings, every field and step in `show`.</summary>
internal static class JobTable
{
    public static Table Rows(IEnumerable<JobView> jobs)
    {
        var table = Output.Table("ID", "ACTION", "HOST", "STATUS", "ATTEMPT", "STEP", "QUEUE", "CREATED");
        foreach (var j in jobs)
            Output.Row(table, j.Id, j.Action, Host(j.Target), j.Status, Attempt(j), CurrentStep(j), j.QueuePosition, j.CreatedAt);
        return table;
    }

    public static IRenderable Details(JobView j)
    {
        var parts = new List<IRenderable>
        {
            Output.Details(
                ("id", j.Id), ("action", j.Action), ("params", Json(j.Params)), ("machine", Machine(j.Target)), ("site", j.Target.Site),
                ("status", j.Status), ("attempt", Attempt(j)), ("queue position", j.QueuePosition), ("run after", j.RunAfter),
                ("user", j.User), ("requester", j.Requester), ("batch", j.BatchId), ("cancelled by", j.CancelledBy),
                ("created", j.CreatedAt), ("started", j.StartedAt), ("ended", j.EndedAt), ("duration", Duration(j.StartedAt, j.EndedAt)),
                ("error", j.Error), ("result", j.Result is null ? null : Json(j.Result))),
        };
        if (j.Steps.Count > 0)
        {
            parts.Add(new Text(""));
            parts.Add(Steps(j.Steps));
        }
        if (j.Events is { Count: > 0 } events)
        {
            parts.Add(new Text(""));
            parts.Add(Events(events));
        }
        return new Rows(parts);
    }

    /// <summary>What the machine's installer, wipe or discovery image said last (DESIGN.md §6: the last events are
    /// part of a failure's evidence).</summary>
    public static Table Events(IEnumerable<JobEventView> events)
    {
        var table = Output.Table("AT", "ATTEMPT", "EVENT", "STEP", "PERCENT", "MESSAGE");
        foreach (var e in events)
            Output.Row(table, e.At, e.Attempt, e.Event, e.Step, e.Percent, e.Log is { Length: > 0 } log ? $"{e.Message} — {log}" : e.Message);
        return table;
    }

    public static Table Steps(IEnumerable<JobStepView> steps)
    {
        var table = Output.Table("STEP", "STATUS", "ATTEMPT", "STARTED", "DURATION", "MESSAGE");
        foreach (var s in steps)
            Output.Row(table, s.Name, s.Status, s.Attempt == 0 ? null : s.Attempt, s.StartedAt, Duration(s.StartedAt, s.EndedAt), s.Message);
        return table;
    }

    /// <summary>The hostname people know a machine by, else its hardware name (which every machine has).</summary>
    public static string Host(JobTarget target) => target.Hostname is { Length: > 0 } hostname ? hostname : target.HardwareName;

    public static bool Ended(JobView j) => j.Status is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Cancelled;

    public static string Attempt(JobView j) => $"{j.Attempt}/{j.MaxAttempts}";

    /// <summary>The step running (or waiting for an image) now; for a failed job, the step it failed in, which is what the reader looks for next.</summary>
    public static string? CurrentStep(JobView j) =>
        (j.Steps.FirstOrDefault(s => s.Status is StepStatus.Running or StepStatus.Waiting)
         ?? (j.Status == JobStatus.Failed ? j.Steps.LastOrDefault(s => s.Status == StepStatus.Failed) : null))?.Name;

    /// <summary>"1.4s" or "2m05s"; null until the thing has both started and ended.</summary>
    public static string? Duration(DateTimeOffset? start, DateTimeOffset? end) =>
        start is { } from && end is { } to ? Duration(to - from) : null;

    /// <summary>"1.4s" or "2m05s".</summary>
    public static string Duration(TimeSpan d) => d < TimeSpan.FromMinutes(1)
        ? d.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s"
        : string.Create(CultureInfo.InvariantCulture, $"{(int)d.TotalMinutes}m{d.Seconds:00}s");

    private static string Machine(JobTarget t) =>
        t.Hostname is { Length: > 0 } hostname ? $"{hostname} ({t.HardwareName}, id {t.MachineId})" : $"{t.HardwareName} (id {t.MachineId})";

    // Params and results are small objects; one line of JSON keeps `show` greppable.
    private static string? Json(IReadOnlyDictionary<string, JsonElement> values) =>
        values.Count == 0 ? null : JsonSerializer.Serialize(values, IngotJson.Options);
}
