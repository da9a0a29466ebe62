using System.Globalization;

namespace Ingot.Client;

public sealed partial class IngotClient
{
    /// <param name="idempotencyKey">Sent as Idempotency-Key: the same key and body return the same batch.</param>
    public Task<BatchView> SubmitBatchAsync(BatchSubmit batch, string? idempotencyKey = null, CancellationToken ct = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/batches") { Content = Json(batch) };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return SendAsync<BatchView>(request, ct);
    }

    public Task<BatchView> GetBatchAsync(long id, CancellationToken ct = default) =>
        GetAsync<BatchView>($"api/v1/batches/{id.ToString(CultureInfo.InvariantCulture)}", ct);

    public Task<Page<BatchView>> ListBatchesAsync(BatchQuery query, CancellationToken ct = default) =>
        GetAsync<Page<BatchView>>("api/v1/batches" + Query(
            ("user", query.User), ("status", query.Status), ("action", query.Action),
            ("since", query.Since?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)), ("limit", query.Limit), ("after", query.After)), ct);

    public Task<Page<BatchHostView>> GetBatchHostsAsync(long id, string? hostname = null, string? status = null, int? limit = null,
                                                        string? after = null, CancellationToken ct = default) =>
        GetAsync<Page<BatchHostView>>($"api/v1/batches/{id.ToString(CultureInfo.InvariantCulture)}/hosts" + Query(
            ("hostname", hostname), ("status", status), ("limit", limit), ("after", after)), ct);

    /// <summary>Cancels the batch's queued jobs at once; running ones stop at their next step boundary.</summary>
    public Task<BatchView> CancelBatchAsync(long id, CancellationToken ct = default) =>
        PostAsync<BatchView>($"api/v1/batches/{id.ToString(CultureInfo.InvariantCulture)}/cancel", null, ct);

    public Task<BatchStats> GetBatchStatsAsync(DateTimeOffset? since = null, CancellationToken ct = default) =>
        GetAsync<BatchStats>("api/v1/batches/stats" + Query(("since", since?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture))), ct);

    public Task<IReadOnlyList<ActivityRow>> GetActivityAsync(CancellationToken ct = default) =>
        GetAsync<IReadOnlyList<ActivityRow>>("api/v1/activity", ct);
}
