using System.Globalization;
using System.Text;
using System.Text.Json;
using Dapper;
using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Api;
using Ingot.Server.Inventory;
using Microsoft.AspNetCore.Http;

namespace Ingot.Server.Jobs;

/// <summary>Jobs as the API shows them: one by id, or a filtered list, newest first with keyset paging.</summary>
public static class JobReader
{
    public const int DefaultLimit = 100, MaxLimit = 1000;

    private static readonly string[] Known = ["machine", "status", "action", "user", "batch", "since", "limit", "after"];

    private sealed class JobRow
    {
        public long Id { get; init; }
        public string Action { get; init; } = "";
        public long MachineId { get; init; }
        public string HardwareName { get; init; } = "";
        public string? Hostname { get; init; }
        public string? Site { get; init; }
        public string? Team { get; init; }
        public string Params { get; init; } = "{}";
        public string Requester { get; init; } = "";
        public string UserName { get; init; } = "";
        public string Status { get; init; } = "";
        public string? Result { get; init; }
        public string? Error { get; init; }
        public int Attempt { get; init; }
        public int MaxAttempts { get; init; }
        public DateTimeOffset RunAfter { get; init; }
        public long FairRank { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset? StartedAt { get; init; }
        public DateTimeOffset? EndedAt { get; init; }
        public long? BatchId { get; init; }
        public string? CancelledBy { get; init; }
    }

    private sealed class StepRow
    {
        public long JobId { get; init; }
        public string Name { get; init; } = "";
        public string Status { get; init; } = "";
        public int Attempt { get; init; }
        public DateTimeOffset? StartedAt { get; init; }
        public DateTimeOffset? EndedAt { get; init; }
        public string? Message { get; init; }
    }

    private const string Select =
        """
        SELECT j.id, j.action, j.machine_id, m.hardware_name, m.hostname, s.name AS site, t.name AS team, j.params, j.requester, j.user_name,
               j.status, j.result, j.error, j.attempt, j.max_attempts, j.run_after, j.fair_rank, j.created_at, j.started_at,
               j.ended_at, j.batch_id, j.cancelled_by
        FROM jobs j JOIN machines m ON m.id = j.machine_id LEFT JOIN sites s ON s.id = m.site_id
        LEFT JOIN roles ro ON ro.id = m.role_id LEFT JOIN teams t ON t.id = ro.team_id
        """;

    public static async Task<JobView> GetAsync(DataContext c, long id)
    {
        var row = await c.QuerySingleOrDefaultAsync<JobRow>($"{Select} WHERE j.id = @id", new { id })
                  ?? throw new NotFoundException("job", id.ToString(CultureInfo.InvariantCulture));
        var view = (await ViewsAsync(c, [row])).Single();
        var events = await JobEventRow.ReadAsync(c, id, attempt: null, limit: 20);
        return events.Count == 0 ? view : view with { Events = events };
    }

    public static async Task<Page<JobView>> ListAsync(DataContext c, IQueryCollection query)
    {
        var v = new Validation();
        var q = new QueryText(query, Known, "job", v);
        var where = new StringBuilder("WHERE 1 = 1");
        var args = new DynamicParameters();
        if (q.Text("machine") is { } machine) { where.Append(" AND j.machine_id = @machineId"); args.Add("machineId", await MachineReader.ResolveAsync(c, machine)); }
        if (q.Text("status") is { } statusText)
        {
            if (Wire.TryParse<JobStatus>(statusText, out var status)) { where.Append(" AND j.status = @status"); args.Add("status", Wire.Name(status)); }
            else v.Add("status", $"'{statusText}' is not a job status; use one of {Wire.Names<JobStatus>()}.");
        }
        if (q.Text("action") is { } action)
        {
            if (JobPlans.Find(action.ToLowerInvariant()) is null) v.Add("action", $"'{action}' is not an action; use one of {string.Join(", ", JobPlans.Actions)}.");
            where.Append(" AND j.action = @action");
            args.Add("action", action.ToLowerInvariant());
        }
        if (q.Text("user") is { } user) { where.Append(" AND j.user_name = @user"); args.Add("user", user); }
        if (q.Long("batch", "a batch id") is { } batch) { where.Append(" AND j.batch_id = @batch"); args.Add("batch", batch); }
        if (q.Time("since") is { } since) { where.Append(" AND j.created_at >= @since"); args.Add("since", DapperSetup.Stored(c, since)); }
        var limit = q.Int("limit", 1, MaxLimit) ?? DefaultLimit;
        var after = q.Cursor();
        v.ThrowIfInvalid();

        if (after is not null) { where.Append(" AND j.id < @after"); args.Add("after", after); }
        args.Add("take", limit + 1);
        var rows = (await c.QueryAsync<JobRow>($"{Select} {where} ORDER BY j.id DESC LIMIT @take", args)).AsList();
        var more = rows.Count > limit;
        if (more) rows.RemoveAt(rows.Count - 1);
        var items = await ViewsAsync(c, rows);
        return new Page<JobView>(items, more ? rows[^1].Id.ToString(CultureInfo.InvariantCulture) : null, null);
    }

    private static async Task<IReadOnlyList<JobView>> ViewsAsync(DataContext c, IReadOnlyList<JobRow> rows)
    {
        if (rows.Count == 0) return [];
        var ids = rows.Select(r => r.Id).ToArray();
        var steps = (await c.QueryAsync<StepRow>(
                $"SELECT job_id, name, status, attempt, started_at, ended_at, message FROM job_steps WHERE {Sql.AnyOf(c, "job_id", "ids")} ORDER BY job_id, position",
                new { ids = Sql.List(ids) }))
            .ToLookup(s => s.JobId);
        var views = new List<JobView>(rows.Count);
        foreach (var r in rows)
        {
            long? position = r.Status == "queued" ? await PositionAsync(c, r) : null;
            views.Add(new JobView(
                r.Id, r.Action, new JobTarget(r.MachineId, r.HardwareName, r.Hostname, r.Site, r.Team), Json(r.Params) ?? [],
                r.Requester, r.UserName, Parse<JobStatus>(r.Status), Json(r.Result), r.Error, r.Attempt, r.MaxAttempts, r.RunAfter,
                Steps(r, steps[r.Id]),
                r.CreatedAt, r.StartedAt, r.EndedAt, r.BatchId, position, r.CancelledBy));
        }
        return views;
    }

    /// <summary>The job's step rows; before its first claim it has none (DatabaseJobQueue.AddStepsAsync), and its steps
    /// are its plan's: pending, or cancelled if the job was cancelled before it ever ran.</summary>
    private static IReadOnlyList<JobStepView> Steps(JobRow r, IEnumerable<StepRow> rows)
    {
        var stored = rows.Select(s => new JobStepView(s.Name, Parse<StepStatus>(s.Status), s.Attempt, s.StartedAt, s.EndedAt, s.Message)).ToList();
        if (stored.Count > 0 || JobPlans.Find(r.Action) is not { } plan) return stored;
        var status = r.Status == "cancelled" ? StepStatus.Cancelled : StepStatus.Pending;
        return [.. plan.Steps.Select(step => new JobStepView(step.Name, status, 0, null, null, null))];
    }

    /// <summary>1 = next to be claimed, in the broker's fair order (whether or not its run_after has come).</summary>
    private static async Task<long> PositionAsync(DataContext c, JobRow r) =>
        1 + await c.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM jobs WHERE status = 'queued' AND (fair_rank < @rank OR (fair_rank = @rank AND id < @id))",
            new { rank = r.FairRank, id = r.Id });

    private static Dictionary<string, JsonElement>? Json(string? text) =>
        text is null ? null : JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(text);

    private static T Parse<T>(string text) where T : struct, Enum =>
        Wire.TryParse<T>(text, out var value) ? value : throw new InvalidOperationException($"unknown {typeof(T).Name} '{text}' in the database");

    /// <summary>Whether the machine has a queued or running job of <paramref name="action"/>.</summary>
    public static async Task<bool> HasUnfinishedAsync(DataContext c, long machineId, string action) =>
        await c.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM jobs WHERE machine_id = @machineId AND action = @action AND status IN ('queued', 'running')", new { machineId, action }) > 0;
}
