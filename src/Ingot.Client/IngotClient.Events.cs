using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Ingot.Client;

public sealed partial class IngotClient
{
    public Task<Page<EventView>> ListEventsAsync(EventQuery? query = null, CancellationToken ct = default) =>
        GetAsync<Page<EventView>>("api/v1/events" + EventFilters(query, withPaging: true), ct);

    private static string EventFilters(EventQuery? q, bool withPaging) => Query(
        ("type", q?.Types), ("subject", q?.Subject), ("machine", q?.Machine), ("batch", q?.Batch), ("team", q?.Team), ("user", q?.User),
        ("since", q?.Since), ("after", q?.After), ("limit", withPaging ? q?.Limit : null));

    /// <summary>The server-sent event stream, for as long as <paramref name="ct"/> allows: a dropped connection is opened
    /// again (after a short wait that grows while the server stays away) from the last event received, so no event is
    /// missed and none is repeated. A refusal (bad filter, no rights) ends it with the server's problem.</summary>
    public async IAsyncEnumerable<EventView> StreamEventsAsync(EventQuery? query = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        long? last = null;
        var wait = TimeSpan.FromMilliseconds(250);
        while (!ct.IsCancellationRequested)
        {
            HttpResponseMessage? response = null;
            try
            {
                var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/events/stream" + EventFilters(query, withPaging: false));
                if (last is { } id) request.Headers.Add("Last-Event-ID", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            }
            catch (HttpRequestException) when (!ct.IsCancellationRequested)
            {
                response?.Dispose();
                response = null;
            }
            if (response is not null)
            {
                using (response)
                {
                    await ThrowIfProblemAsync(response, ct);
                    wait = TimeSpan.FromMilliseconds(250);
                    await using var body = await response.Content.ReadAsStreamAsync(ct);
                    using var reader = new StreamReader(body, Encoding.UTF8);
                    var data = new StringBuilder();
                    while (true)
                    {
                        string? line;
                        try
                        {
                            line = await reader.ReadLineAsync(ct);
                        }
                        catch (Exception e) when (e is IOException or HttpRequestException && !ct.IsCancellationRequested)
                        {
                            break; // the connection dropped: open it again from the last event
                        }
                        if (line is null) break;
                        if (line.Length == 0)
                        {
                            if (data.Length == 0) continue;
                            var ev = JsonSerializer.Deserialize<EventView>(data.ToString(), IngotJson.Tolerant);
                            data.Clear();
                            if (ev is null) continue;
                            last = ev.Id;
                            yield return ev;
                        }
                        else if (line.StartsWith("data:", StringComparison.Ordinal))
                            data.Append(line.AsSpan(line.StartsWith("data: ", StringComparison.Ordinal) ? 6 : 5));
                        // id, event, retry and comment lines: the data carries the id and type too
                    }
                }
            }
            try
            {
                await Task.Delay(wait, ct);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
            wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
        }
    }
}
