using System.Globalization;
using System.Text;
using System.Text.Json;
using Dapper;
using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Api;
using Ingot.Server.Inventory;
using Microsoft.AspNetCore.Http;

namespace Ingot.Server.Batches;

/// <summary>Batches as the API shows them. A batch's status and counts are derived from its jobs, so they are never out
/// of step with them.</summary>
public static class BatchReader
{
    private sealed class BatchRow
    {
        public long Id { get; init; }
        public string Action { get; init; } = "";
        public string Params { get; init; } = "{}";
        public string UserName { get; init; } = "";
        public bool Force { get; init; }
        public int HostCount { get; init; }
        public string? CancelledBy { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public string? Excluded { get; init; }
    }

    private sealed class CountRow
    {
        public long BatchId { get; init; }
        public string Status { get; init; } = "";
        public long Count { get; init; }
        public DateTimeOffset? StartedAt { get; init; }
        public DateTimeOffset? EndedAt { get; init; }
    }

    private const string Select = "SELECT id, action, params, user_name, force, host_count, cancelled_by, created_at, excluded FROM batches";

    public static async Task<BatchView> GetAsync(DataContext c, long id)
    {
        var row = await c.QuerySingleOrDefaultAsync<BatchRow>($"{Select} WHERE id = @id", new { id })
                  ?? throw new NotFoundException("batch", id.ToString(CultureInfo.InvariantCulture));
        return (await ViewsAsync(c, [row])).Single();
    }

    /// <summary>A batch as it stands the moment it is accepted — every job queued — built from what the submission
    /// wrote rather than read back: the 201 then costs no second connection and query.</summary>
    public static BatchView Accepted(long id, string action, string parameters, string user, bool force, int hosts, DateTimeOffset createdAt, string? excluded,
                                     IEnumerable<string?> teams) =>
        View(new BatchRow { Id = id, Action = action, Params = parameters, UserName = user, Force = force, HostCount = hosts, CreatedAt = createdAt, Excluded = excluded },
            [new CountRow { BatchId = id, Status = "queued", Count = hosts }], teams);

    private static readonly string[] Known = ["user", "status", "action", "since", "limit", "after"];

    /// <summary>Newest first, keyset paging on id. The status filter applies to the page (status is derived).</summary>
    public static async Task<Page<BatchView>> ListAsync(DataContext c, IQueryCollection query)
    {
        var v = new Validation();
        var q = new QueryText(query, Known, "batch", v);
        var where = new StringBuilder("WHERE 1 = 1");
        var args = new DynamicParameters();
        if (q.Text("user") is { } user) { where.Append(" AND user_name = @user"); args.Add("user", user); }
        if (q.Text("action") is { } action) { where.Append(" AND action = @action"); args.Add("action", action.ToLowerInvariant()); }
        if (q.Time("since") is { } since) { where.Append(" AND created_at >= @since"); args.Add("since", DapperSetup.Stored(c, since)); }
        BatchStatus? status = null;
        if (q.Text("status") is { } statusText)
        {
            if (Wire.TryParse<BatchStatus>(statusText, out var s)) status = s;
            else v.Add("status", $"'{statusText}' is not a batch status; use one of {Wire.Names<BatchStatus>()}.");
        }
        var limit = q.Int("limit", 1, 1000) ?? 100;
        if (q.Cursor() is { } after) { where.Append(" AND id < @after"); args.Add("after", after); }
        v.ThrowIfInvalid();
        args.Add("take", limit + 1);
        var rows = (await c.QueryAsync<BatchRow>($"{Select} {where} ORDER BY id DESC LIMIT @take", args)).AsList();
        var more = rows.Count > limit;
        if (more) rows.RemoveAt(rows.Count - 1);
        var views = await ViewsAsync(c, rows);
        return new Page<BatchView>([.. views.Where(b => status is null || b.Status == status)],
            more ? rows[^1].Id.ToString(CultureInfo.InvariantCulture) : null, null);
    }

    private static async Task<IReadOnlyList<BatchView>> ViewsAsync(DataContext c, IReadOnlyList<BatchRow> rows)
    {
        if (rows.Count == 0) return [];
        var counts = (await c.QueryAsync<CountRow>(
                $"""
                SELECT batch_id, status, COUNT(*) AS count, MIN(started_at) AS started_at, MAX(ended_at) AS ended_at
                FROM jobs WHERE {Sql.AnyOf(c, "batch_id", "ids")} GROUP BY batch_id, status
                """, new { ids = Sql.List(rows.Select(r => r.Id)) }))
            .ToLookup(r => r.BatchId);
        var teams = (await c.QueryAsync<(long BatchId, string Team)>(
                $"""
                SELECT DISTINCT j.batch_id, t.name FROM jobs j JOIN machines m ON m.id = j.machine_id
                JOIN roles ro ON ro.id = m.role_id JOIN teams t ON t.id = ro.team_id WHERE {Sql.AnyOf(c, "j.batch_id", "ids")}
                """, new { ids = Sql.List(rows.Select(r => r.Id)) }))
            .ToLookup(r => r.BatchId, r => (string?)r.Team);
        return [.. rows.Select(r => View(r, counts[r.Id].ToList(), teams[r.Id]))];
    }

    private static BatchView View(BatchRow r, List<CountRow> jobs, IEnumerable<string?> teams)
    {
        long Count(string s) => jobs.Where(j => j.Status == s).Sum(j => j.Count);
        var counts = new BatchCounts(Count("queued"), Count("running"), Count("succeeded"), Count("failed"), Count("cancelled"));
        var active = counts.Queued + counts.Running;
        var status = counts.StatusOf(r.CancelledBy is not null);
        return new BatchView(r.Id, r.Action, JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(r.Params) ?? [], r.UserName, status,
            r.HostCount, counts, r.Force, r.CreatedAt, jobs.Min(j => j.StartedAt), active > 0 ? null : jobs.Max(j => j.EndedAt), r.CancelledBy,
            r.Excluded is null ? [] : JsonSerializer.Deserialize<List<BatchExclusion>>(r.Excluded, IngotJson.Options) ?? [],
            [.. teams.OfType<string>().Distinct().Order(StringComparer.Ordinal)]);
    }

    private sealed class HostRow
    {
        public long Id { get; init; }
        public long MachineId { get; init; }
        public string HardwareName { get; init; } = "";
        public string? Hostname { get; init; }
        public string Status { get; init; } = "";
        public string? Error { get; init; }
        public string? Step { get; init; }
        public string? Team { get; init; }
    }

    private static readonly string[] HostFilters = ["hostname", "status", "limit", "after"];

    /// <summary>The batch's hosts and their jobs, in job order (keyset on job id).</summary>
    public static async Task<Page<BatchHostView>> HostsAsync(DataContext c, long id, IQueryCollection query)
    {
        await GetAsync(c, id); // 404 for an unknown batch rather than an empty page
        var v = new Validation();
        var q = new QueryText(query, HostFilters, "batch host", v);
        var where = new StringBuilder("WHERE j.batch_id = @id");
        var args = new DynamicParameters(new { id });
        if (q.Text("hostname") is { } hostname) { where.Append(" AND (m.hostname = @hostname OR m.hardware_name = @hostname)"); args.Add("hostname", hostname.ToLowerInvariant()); }
        if (q.Text("status") is { } statusText)
        {
            if (Wire.TryParse<JobStatus>(statusText, out var s)) { where.Append(" AND j.status = @status"); args.Add("status", Wire.Name(s)); }
            else v.Add("status", $"'{statusText}' is not a job status; use one of {Wire.Names<JobStatus>()}.");
        }
        var limit = q.Int("limit", 1, 10_000) ?? 1000;
        if (q.Cursor() is { } after) { where.Append(" AND j.id > @after"); args.Add("after", after); }
        v.ThrowIfInvalid();
        args.Add("take", limit + 1);
        var rows = (await c.QueryAsync<HostRow>(
            $"""
            SELECT j.id, j.machine_id, m.hardware_name, m.hostname, j.status, j.error, t.name AS team,
                   (SELECT s.name FROM job_steps s WHERE s.job_id = j.id AND s.status IN ('running', 'waiting') ORDER BY s.position LIMIT 1) AS step
            FROM jobs j JOIN machines m ON m.id = j.machine_id
            LEFT JOIN roles ro ON ro.id = m.role_id LEFT JOIN teams t ON t.id = ro.team_id {where} ORDER BY j.id LIMIT @take
            """, args)).AsList();
        var more = rows.Count > limit;
        if (more) rows.RemoveAt(rows.Count - 1);
        return new Page<BatchHostView>(
            [.. rows.Select(r => new BatchHostView(r.MachineId, r.HardwareName, r.Hostname, r.Id,
                Wire.TryParse<JobStatus>(r.Status, out var s) ? s : JobStatus.Queued, r.Step, r.Error, r.Team))],
            more ? rows[^1].Id.ToString(CultureInfo.InvariantCulture) : null, null);
    }
}
