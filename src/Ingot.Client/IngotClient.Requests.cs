using System.Globalization;

namespace Ingot.Client;

public sealed partial class IngotClient
{
    /// <summary>Asks for machines (202): the request as it stands after its first allocation.</summary>
    public Task<RequestView> CreateRequestAsync(RequestCreate request, CancellationToken ct = default) =>
        PostAsync<RequestView>("api/v1/requests", request, ct);

    public Task<RequestView> GetRequestAsync(long id, CancellationToken ct = default) =>
        GetAsync<RequestView>($"api/v1/requests/{id.ToString(CultureInfo.InvariantCulture)}", ct);

    public Task<Page<RequestView>> ListRequestsAsync(RequestQuery query, CancellationToken ct = default) =>
        GetAsync<Page<RequestView>>("api/v1/requests" + Query(
            ("status", query.Status), ("role", query.Role), ("user", query.User), ("limit", query.Limit), ("after", query.After)), ct);

    /// <summary>Moves the request's lease end (null: no expiry).</summary>
    public Task<RequestView> ExtendLeaseAsync(long id, DateTimeOffset? expiresAt, CancellationToken ct = default) =>
        PatchAsync<RequestView>($"api/v1/requests/{id.ToString(CultureInfo.InvariantCulture)}/lease", new LeaseExtend(expiresAt), ct);

    /// <summary>Cancels the request: its installs stop and every machine it took is recycled.</summary>
    public Task<RequestView> CancelRequestAsync(long id, CancellationToken ct = default) =>
        PostAsync<RequestView>($"api/v1/requests/{id.ToString(CultureInfo.InvariantCulture)}/cancel", null, ct);
}

public sealed partial class IngotClient
{
    /// <summary>Creates a pool (201) as it stands after its first allocation.</summary>
    public Task<PoolView> CreatePoolAsync(PoolCreate pool, CancellationToken ct = default) => PostAsync<PoolView>("api/v1/pools", pool, ct);

    public Task<PoolView> GetPoolAsync(long id, CancellationToken ct = default) =>
        GetAsync<PoolView>($"api/v1/pools/{id.ToString(CultureInfo.InvariantCulture)}", ct);

    public Task<Page<PoolView>> ListPoolsAsync(RequestQuery query, CancellationToken ct = default) =>
        GetAsync<Page<PoolView>>("api/v1/pools" + Query(
            ("status", query.Status), ("role", query.Role), ("user", query.User), ("limit", query.Limit), ("after", query.After)), ct);

    /// <summary>A new desired size: larger allocates, smaller drains the newest members.</summary>
    public Task<PoolView> ResizePoolAsync(long id, int desired, CancellationToken ct = default) =>
        PatchAsync<PoolView>($"api/v1/pools/{id.ToString(CultureInfo.InvariantCulture)}", new PoolResize(desired), ct);

    /// <summary>Deletes the pool: every member is given back (recycled).</summary>
    public Task<PoolView> DeletePoolAsync(long id, CancellationToken ct = default) =>
        SendAsync<PoolView>(new HttpRequestMessage(HttpMethod.Delete, $"api/v1/pools/{id.ToString(CultureInfo.InvariantCulture)}"), ct);
}

public sealed partial class IngotClient
{
    /// <summary>Reclaim's dry run: what a run with the same rules would recycle now, and what it would leave, with why.</summary>
    public Task<ReclaimReport> ReclaimReportAsync(ReclaimRunRequest? ask = null, CancellationToken ct = default) =>
        GetAsync<ReclaimReport>("api/v1/reclaim" + Query(("rules", ask?.Rules is { Count: > 0 } rules ? string.Join(',', rules) : null),
            ("site", ask?.Site), ("defunct_days", ask?.DefunctDays), ("unused_days", ask?.UnusedDays)), ct);

    /// <summary>Runs reclaim: recycle batches of what the rules select (409 if <c>expect</c> no longer matches it).</summary>
    public Task<ReclaimRun> ReclaimAsync(ReclaimRunRequest ask, CancellationToken ct = default) => PostAsync<ReclaimRun>("api/v1/reclaim", ask, ct);
}

public sealed partial class IngotClient
{
    /// <summary>Machine-hours and cost by team, role and SKU (default: the last 30 days).</summary>
    public Task<CostReport> GetCostAsync(CostQuery? query = null, CancellationToken ct = default) =>
        GetAsync<CostReport>("api/v1/cost" + Query(("team", query?.Team), ("role", query?.Role), ("since", query?.Since), ("until", query?.Until)), ct);

    /// <summary>Held machines nobody uses, and what they cost.</summary>
    public Task<WasteReport> GetWasteAsync(WasteQuery? query = null, CancellationToken ct = default) =>
        GetAsync<WasteReport>("api/v1/cost/waste" + Query(("team", query?.Team), ("site", query?.Site), ("idle_days", query?.IdleDays)), ct);
}
