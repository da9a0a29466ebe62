namespace Ingot.Client;

public sealed partial class IngotClient
{
    public Task<SubscriptionView> CreateSubscriptionAsync(SubscriptionCreate body, CancellationToken ct = default) =>
        PostAsync<SubscriptionView>("api/v1/subscriptions", body, ct);

    public Task<Page<SubscriptionView>> ListSubscriptionsAsync(CancellationToken ct = default) =>
        GetAsync<Page<SubscriptionView>>("api/v1/subscriptions", ct);

    public Task<SubscriptionView> GetSubscriptionAsync(long id, CancellationToken ct = default) =>
        GetAsync<SubscriptionView>($"api/v1/subscriptions/{id}", ct);

    public Task<SubscriptionView> UpdateSubscriptionAsync(long id, SubscriptionUpdate update, CancellationToken ct = default) =>
        PatchAsync<SubscriptionView>($"api/v1/subscriptions/{id}", update, ct);

    public Task DeleteSubscriptionAsync(long id, CancellationToken ct = default) => DeleteAsync($"api/v1/subscriptions/{id}", ct);

    /// <summary>The subscription's delivery log, newest first; <paramref name="outcome"/> "dead" for its dead letters.</summary>
    public Task<Page<DeliveryView>> ListDeliveriesAsync(long id, string? outcome = null, long? after = null, CancellationToken ct = default) =>
        GetAsync<Page<DeliveryView>>($"api/v1/subscriptions/{id}/deliveries" + Query(("outcome", outcome), ("after", after)), ct);
}
