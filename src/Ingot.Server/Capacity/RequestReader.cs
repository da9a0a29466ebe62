using System.Globalization;
using System.Text;
using Dapper;
using Ingot.Client;
using Ingot.Server.Api;
using Ingot.Server.Data;
using Microsoft.AspNetCore.Http;

namespace Ingot.Server.Capacity;

/// <summary>Provisioning requests as the API shows them: the request, its counts, and a line per machine it took.</summary>
public static class RequestReader
{
    private sealed class Row
    {
        public long Id { get; init; }
        public string Role { get; init; } = "";
        public string Team { get; init; } = "";
        public string Site { get; init; } = "";
        public string Sku { get; init; } = "";
        public int Count { get; init; }
        public string Image { get; init; } = "";
        public string HostnameTemplate { get; init; } = "";
        public bool Spread { get; init; }
        public DateTimeOffset? ExpiresAt { get; init; }
        public string UserName { get; init; } = "";
        public string Status { get; init; } = "";
        public string? ShortReason { get; init; }
        public int Replacements { get; init; }
        public string? CancelledBy { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
    }

    private sealed class MachineRow
    {
        public long RequestId { get; init; }
        public long MachineId { get; init; }
        public string HardwareName { get; init; } = "";
        public string Hostname { get; init; } = "";
        public string? Rack { get; init; }
        public string Status { get; init; } = "";
        public long? JobId { get; init; }
        public string? Reason { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
    }

    private const string Select =
        """
        SELECT q.id, ro.name AS role, t.name AS team, s.name AS site, k.name AS sku, q.count, q.image, q.hostname_template, q.spread, q.expires_at,
               q.user_name, q.status, q.short_reason, q.replacements, q.cancelled_by, q.created_at, q.updated_at
        FROM provisioning_requests q JOIN roles ro ON ro.id = q.role_id JOIN teams t ON t.id = ro.team_id
        JOIN sites s ON s.id = q.site_id JOIN skus k ON k.id = q.sku_id
        """;

    /// <param name="kind">"request" or "pool" (<see cref="Pools.Kind"/>): a pool's id is no request's, and the other way round.</param>
    public static async Task<RequestView> GetAsync(DataContext c, long id, string kind = "request") =>
        (await ViewsAsync(c, (await c.QueryAsync<Row>($"{Select} WHERE q.id = @id AND q.kind = @kind", new { id, kind })).AsList())).SingleOrDefault()
        ?? throw new NotFoundException(kind, id.ToString(CultureInfo.InvariantCulture));

    private static readonly string[] Known = ["status", "role", "user", "limit", "after"];

    /// <summary>Newest first, keyset paging on id.</summary>
    public static async Task<Page<RequestView>> ListAsync(DataContext c, IQueryCollection query, string kind = "request")
    {
        var v = new Validation();
        var q = new QueryText(query, Known, kind, v);
        var where = new StringBuilder("WHERE q.kind = @kind");
        var args = new DynamicParameters(new { kind });
        if (q.Text("status") is { } status)
        {
            if (Wire.TryParse<RequestStatus>(status, out var s)) { where.Append(" AND q.status = @status"); args.Add("status", Wire.Name(s)); }
            else v.Add("status", $"'{status}' is not a request status; use one of {Wire.Names<RequestStatus>()}.");
        }
        if (q.Text("role") is { } role) { where.Append(" AND ro.name = @role"); args.Add("role", role.ToLowerInvariant()); }
        if (q.Text("user") is { } user) { where.Append(" AND q.user_name = @user"); args.Add("user", user.ToLowerInvariant()); }
        var limit = q.Int("limit", 1, 1000) ?? 100;
        if (q.Cursor() is { } after) { where.Append(" AND q.id < @after"); args.Add("after", after); }
        v.ThrowIfInvalid();
        args.Add("take", limit + 1);
        var rows = (await c.QueryAsync<Row>($"{Select} {where} ORDER BY q.id DESC LIMIT @take", args)).AsList();
        var more = rows.Count > limit;
        if (more) rows.RemoveAt(rows.Count - 1);
        return new Page<RequestView>(await ViewsAsync(c, rows, lines: false), more ? rows[^1].Id.ToString(CultureInfo.InvariantCulture) : null, null);
    }

    /// <param name="lines">A line per machine (one request's view); a listing carries the counts alone, since a page of
    /// 100 requests of 1,000 machines would otherwise be 100,000 lines.</param>
    private static async Task<IReadOnlyList<RequestView>> ViewsAsync(DataContext c, List<Row> rows, bool lines = true)
    {
        if (rows.Count == 0) return [];
        var ids = new { ids = Sql.List(rows.Select(r => r.Id)) };
        var machines = lines
            ? (await c.QueryAsync<MachineRow>(
                $"""
                SELECT rm.request_id, rm.machine_id, m.hardware_name, rm.hostname, k.name AS rack, rm.status, rm.job_id, rm.reason, rm.updated_at
                FROM request_machines rm JOIN machines m ON m.id = rm.machine_id LEFT JOIN racks k ON k.id = m.rack_id
                WHERE {Sql.AnyOf(c, "rm.request_id", "ids")} ORDER BY rm.id
                """, ids)).ToLookup(m => m.RequestId)
            : null;
        var counts = (await c.QueryAsync<(long RequestId, string Status, int Count)>(
                $"SELECT request_id, status, COUNT(*) AS count FROM request_machines WHERE {Sql.AnyOf(c, "request_id", "ids")} GROUP BY request_id, status", ids))
            .ToLookup(x => x.RequestId);
        return [.. rows.Select(r =>
        {
            var view = machines?[r.Id].Select(m => new RequestMachineView(m.MachineId, m.HardwareName, m.Hostname, m.Rack, m.Status, m.JobId, m.Reason, m.UpdatedAt)).ToList() ?? [];
            var status = Wire.TryParse<RequestStatus>(r.Status, out var s) ? s : RequestStatus.Pending;
            int Count(string of) => counts[r.Id].Where(x => x.Status == of).Sum(x => x.Count);
            var inUse = Count("in_use");
            var installing = Count("installing");
            var shortBy = status is RequestStatus.Fulfilled or RequestStatus.Cancelled or RequestStatus.Expired ? 0
                : Math.Max(0, r.Count - inUse - installing - Count(RequestPass.Returned));
            return new RequestView(r.Id, r.Role, r.Team, r.Site, r.Sku, r.Count, r.Image, r.HostnameTemplate, r.Spread, r.ExpiresAt, r.UserName, status,
                inUse, installing, shortBy, shortBy > 0 || status == RequestStatus.Failed ? r.ShortReason : null, r.Replacements, r.CancelledBy,
                r.CreatedAt, r.UpdatedAt, view);
        })];
    }
}
