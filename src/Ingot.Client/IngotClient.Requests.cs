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

    /// <summary>Cancels the request: its installs stop and every machine it took is recycled.</summary>
    public Task<RequestView> CancelRequestAsync(long id, CancellationToken ct = default) =>
        PostAsync<RequestView>($"api/v1/requests/{id.ToString(CultureInfo.InvariantCulture)}/cancel", null, ct);
}
