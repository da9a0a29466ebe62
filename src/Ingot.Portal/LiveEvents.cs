using Ingot.Client;

namespace Ingot.Portal;

/// <summary>A live part's events: the API's stream, one wait at a time. An async iterator cannot be disposed while a wait
/// is pending (it throws), and a part usually ends with one pending — the thing it showed is finished — so disposing
/// cancels the wait first.</summary>
internal sealed class LiveEvents(IngotClient stream, EventQuery query, CancellationToken aborted) : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(aborted);
    private IAsyncEnumerator<EventView>? events;
    private Task<bool>? pending;

    /// <summary>Waits for the next event; false when the stream has ended. Await one before asking for the next.</summary>
    public Task<bool> NextAsync()
    {
        events ??= stream.StreamEventsAsync(query, stop.Token).GetAsyncEnumerator(stop.Token);
        return pending = events.MoveNextAsync().AsTask();
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        if (pending is not null)
        {
            try { await pending; }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException) { }
        }
        if (events is not null) await events.DisposeAsync();
        stop.Dispose();
    }
}
