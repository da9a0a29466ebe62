using System.Text.Json;
using Ingot.Client;
using Ingot.Commands.Jobs;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Ingot.Commands.Batches;

/// <summary>How batches look in table output: a row each in listings, every field and the counts in `show`,
/// a row per host in `hosts`; and the one-line sums `watch` prints.</summary>
internal static class BatchTable
{
    public static Table Rows(IEnumerable<BatchView> batches)
    {
        var table = Output.Table("ID", "ACTION", "STATUS", "HOSTS", "DONE", "FAILED", "CANCELLED", "USER", "TEAMS", "CREATED");
        foreach (var b in batches)
            Output.Row(table, b.Id, b.Action, b.Status, b.Hosts, Percent(b), b.Counts.Failed, b.Counts.Cancelled, b.User, Teams(b), b.CreatedAt);
        return table;
    }

    public static IRenderable Details(BatchView b) => new Rows(
        Output.Details(
            ("id", b.Id), ("action", b.Action), ("params", Json(b.Params)), ("user", b.User), ("teams", Teams(b)), ("status", b.Status), ("hosts", b.Hosts),
            ("force", b.Force), ("cancelled by", b.CancelledBy), ("created", b.CreatedAt), ("started", b.StartedAt), ("ended", b.EndedAt),
            ("duration", JobTable.Duration(b.StartedAt, b.EndedAt))),
        new Text(""),
        Counts(b),
        b.Excluded.Count == 0 ? new Text("") : Excluded(b));

    /// <summary>The hosts a precheck left out, each with why: they are in no status, so the counts do not show them.</summary>
    public static Table Excluded(BatchView b)
    {
        var table = Output.Table("EXCLUDED HOST", "REASON");
        foreach (var x in b.Excluded) Output.Row(table, x.Host, x.Reason);
        return table;
    }

    /// <summary>How many hosts are in each status, and what share of the batch that is.</summary>
    public static Table Counts(BatchView b)
    {
        var table = Output.Table("STATUS", "HOSTS", "PERCENT");
        foreach (var (status, count) in PerStatus(b)) Output.Row(table, status, count, Share(count, b.Hosts));
        return table;
    }

    public static Table Hosts(IEnumerable<BatchHostView> hosts)
    {
        var table = Output.Table("HOST", "MACHINE", "TEAM", "JOB", "STATUS", "STEP", "ERROR");
        foreach (var h in hosts) Output.Row(table, Host(h), h.MachineId, h.Team, h.JobId, h.Status, h.CurrentStep, h.Error);
        return table;
    }

    /// <summary>The counts in the order a job passes through them.</summary>
    public static IEnumerable<(JobStatus Status, long Count)> PerStatus(BatchView b) =>
    [
        (JobStatus.Queued, b.Counts.Queued), (JobStatus.Running, b.Counts.Running), (JobStatus.Succeeded, b.Counts.Succeeded),
        (JobStatus.Failed, b.Counts.Failed), (JobStatus.Cancelled, b.Counts.Cancelled),
    ];

    public static bool Ended(BatchView b) => b.Status is BatchStatus.Succeeded or BatchStatus.CompletedWithErrors or BatchStatus.Failed or BatchStatus.Cancelled;

    /// <summary>Hosts whose job has ended, whatever the outcome.</summary>
    public static long Done(BatchView b) => b.Counts.Succeeded + b.Counts.Failed + b.Counts.Cancelled;

    /// <summary>"67%" of the hosts done.</summary>
    public static string Percent(BatchView b) => Share(Done(b), b.Hosts);

    /// <summary>"2 queued, 1 running, 0 succeeded, 0 failed, 0 cancelled".</summary>
    public static string CountsLine(BatchView b) => string.Join(", ", PerStatus(b).Select(c => $"{c.Count} {Output.Cell(c.Status)}"));

    /// <summary>Whose machines the batch acts on: "web, storage"; none for the free pool alone.</summary>
    public static string? Teams(BatchView b) => b.Teams is { Count: > 0 } teams ? string.Join(", ", teams) : null;

    /// <summary>The hostname people know a machine by, else its hardware name.</summary>
    public static string Host(BatchHostView h) => h.Hostname is { Length: > 0 } hostname ? hostname : h.HardwareName;

    // Rounded down, so "100%" means every host is done and not 99.6% of them.
    private static string Share(long part, int whole) => whole == 0 ? "100%" : $"{part * 100 / whole}%";

    // Params are a small object; one line of JSON keeps `show` greppable.
    private static string? Json(IReadOnlyDictionary<string, JsonElement> values) =>
        values.Count == 0 ? null : JsonSerializer.Serialize(values, IngotJson.Options);
}
