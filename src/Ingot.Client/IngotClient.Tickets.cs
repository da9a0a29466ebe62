namespace Ingot.Client;

public sealed partial class IngotClient
{
    public Task<Page<TicketView>> ListTicketsAsync(TicketQuery? query = null, CancellationToken ct = default) =>
        GetAsync<Page<TicketView>>("api/v1/tickets" + Query(("status", query?.Status), ("team", query?.Team), ("machine", query?.Machine),
            ("after", query?.After), ("limit", query?.Limit)), ct);

    public Task<TicketView> GetTicketAsync(long id, CancellationToken ct = default) => GetAsync<TicketView>($"api/v1/tickets/{id}", ct);

    public Task<TicketView> AcknowledgeTicketAsync(long id, CancellationToken ct = default) =>
        PostAsync<TicketView>($"api/v1/tickets/{id}/acknowledge", null, ct);

    public Task<TicketView> ResolveTicketAsync(long id, CancellationToken ct = default) =>
        PostAsync<TicketView>($"api/v1/tickets/{id}/resolve", null, ct);

    public Task<TicketView> CommentTicketAsync(long id, string body, CancellationToken ct = default) =>
        PostAsync<TicketView>($"api/v1/tickets/{id}/comments", new TicketCommentCreate(body), ct);
}
