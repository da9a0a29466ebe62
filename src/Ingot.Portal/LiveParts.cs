using System.Text;
using Ingot.Client;
using Ingot.Portal.Components.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Ingot.Portal;

/// <summary>The live parts of the pages (portal.js follows them): a server-sent event stream per part that sends the
/// part again, rendered by the page's own component, each time the API's event stream says it changed — a job's steps
/// as they start and end, a batch's hosts as they finish — and says <c>done</c> when it can no longer change. No polling:
/// one API stream per open part, read as the signed-in user.</summary>
internal static class LiveParts
{
    /// <summary>One open part: the API as its user (a call, and the event stream), and the renderer of its component.</summary>
    private sealed class Part(HttpContext http, IngotClient api, IngotClient stream, HtmlRenderer renderer)
    {
        public IngotClient Api => api;
        public CancellationToken Aborted => http.RequestAborted;

        public IAsyncEnumerator<EventView> Follow(EventQuery query) => stream.StreamEventsAsync(query, Aborted).GetAsyncEnumerator(Aborted);

        /// <summary>Renders <typeparamref name="TPart"/> and sends it as one <c>html</c> event.</summary>
        public async Task SendAsync<TPart>(Dictionary<string, object?> parameters) where TPart : IComponent
        {
            var html = await renderer.Dispatcher.InvokeAsync(async () =>
                (await renderer.RenderComponentAsync<TPart>(ParameterView.FromDictionary(parameters))).ToHtmlString());
            var frame = new StringBuilder("event: html\n");
            foreach (var line in html.Split('\n')) frame.Append("data: ").Append(line.TrimEnd('\r')).Append('\n');
            frame.Append('\n');
            await http.Response.WriteAsync(frame.ToString(), Aborted);
            await http.Response.Body.FlushAsync(Aborted);
        }
    }

    public static Task JobAsync(long id, HttpContext http, PortalApi portal, ILoggerFactory logs) => RunAsync(http, portal, logs, async part =>
    {
        // The stream first, then the job: a change between the two is then in the stream, not lost.
        await using var events = part.Follow(new EventQuery(Subject: $"job:{id}"));
        var next = events.MoveNextAsync();
        var job = await part.Api.GetJobAsync(id, part.Aborted);
        await part.SendAsync<JobCard>(new() { ["Job"] = job });
        while (job.EndedAt is null && await next)
        {
            job = await part.Api.GetJobAsync(id, part.Aborted);
            await part.SendAsync<JobCard>(new() { ["Job"] = job });
            next = events.MoveNextAsync();
        }
    });

    /// <summary>A batch's bars and hosts. Its jobs' events come many at a time (a thousand hosts end within seconds), so
    /// after one arrives the part waits a moment and renders once for all that came meanwhile: a change shows within a
    /// second, and a burst costs a few renders, not one per event.</summary>
    public static Task BatchAsync(long id, HttpContext http, PortalApi portal, ILoggerFactory logs) => RunAsync(http, portal, logs, async part =>
    {
        await using var events = part.Follow(new EventQuery(Batch: id));
        var next = events.MoveNextAsync().AsTask();
        while (true)
        {
            var batch = await part.Api.GetBatchAsync(id, part.Aborted);
            var hosts = (await part.Api.GetBatchHostsAsync(id, limit: Components.Pages.Batch.HostsShown, ct: part.Aborted)).Items;
            await part.SendAsync<BatchProgress>(new() { ["Batch"] = batch, ["Hosts"] = hosts });
            if (batch.EndedAt is not null || !await next) return;
            next = await CoalesceAsync(events, part.Aborted);
        }
    });

    /// <summary>A request's machines, one by one: its own events (its status) and its owner's (the installs' jobs and
    /// steps), coalesced like a batch's.</summary>
    public static Task RequestAsync(long id, HttpContext http, PortalApi portal, ILoggerFactory logs) => RunAsync(http, portal, logs, async part =>
    {
        var request = await part.Api.GetRequestAsync(id, part.Aborted);
        await using var events = part.Follow(new EventQuery(User: request.User));
        var next = events.MoveNextAsync().AsTask();
        while (true)
        {
            request = await part.Api.GetRequestAsync(id, part.Aborted);
            await part.SendAsync<RequestProgress>(RequestProgress.Of(request));
            if (Components.Pages.Request.Settled(request.Status) || !await next) return;
            next = await CoalesceAsync(events, part.Aborted);
        }
    });

    /// <summary>Reads what else arrives within a quarter of a second of an event (a burst), so the part renders once for it;
    /// the next event's wait, to await before the next render.</summary>
    private static async Task<Task<bool>> CoalesceAsync(IAsyncEnumerator<EventView> events, CancellationToken ct)
    {
        var quiet = Task.Delay(250, ct);
        var next = events.MoveNextAsync().AsTask();
        while (await Task.WhenAny(next, quiet) == next && await next) next = events.MoveNextAsync().AsTask();
        return next;
    }

    private static async Task RunAsync(HttpContext http, PortalApi portal, ILoggerFactory logs, Func<Part, Task> follow)
    {
        var token = PortalSession.TokenOf(http.User);
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-store";
        await using var renderer = new HtmlRenderer(http.RequestServices, logs);
        try
        {
            await follow(new Part(http, portal.As(token), portal.As(token, streaming: true), renderer));
            await http.Response.WriteAsync("event: done\ndata: \n\n", http.RequestAborted);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // the page went away
        }
        catch (IngotApiException e)
        {
            await http.Response.WriteAsync($"event: done\ndata: {e.Problem.Title}\n\n", CancellationToken.None);
        }
    }
}
