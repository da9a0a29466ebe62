using System.Diagnostics;
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

        /// <summary>When the part began, less a margin for the clocks of other nodes (an event's time is its writer's).</summary>
        private readonly DateTimeOffset since = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(2);

        /// <summary>The events of <paramref name="query"/> from a little before the part began, not from whenever the
        /// stream's request reaches the server: a change made between the part's first read and that moment would
        /// otherwise be missed (it comes again at worst, costing one more render).</summary>
        public LiveEvents Follow(EventQuery query) => new(stream, query with { Since = since }, Aborted);

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
        // The stream (from before the part began), then the job: a change between the two is then in the stream, not lost.
        await using var events = part.Follow(new EventQuery(Subject: $"job:{id}"));
        var next = events.NextAsync();
        var job = await part.Api.GetJobAsync(id, part.Aborted);
        await part.SendAsync<JobCard>(new() { ["Job"] = job });
        while (job.EndedAt is null && await next)
        {
            job = await part.Api.GetJobAsync(id, part.Aborted);
            await part.SendAsync<JobCard>(new() { ["Job"] = job });
            next = events.NextAsync();
        }
    });

    /// <summary>A batch's bars and hosts. Its jobs' events come many at a time (a thousand hosts end within seconds), so
    /// the part renders at most every quarter second (<see cref="EachBurstAsync"/>): a lone change shows at once, a
    /// burst costs a few renders, not one per event.</summary>
    public static Task BatchAsync(long id, HttpContext http, PortalApi portal, ILoggerFactory logs) => RunAsync(http, portal, logs, async part =>
    {
        await using var events = part.Follow(new EventQuery(Batch: id));
        await EachBurstAsync(events, async () =>
        {
            var batch = await part.Api.GetBatchAsync(id, part.Aborted);
            var hosts = (await part.Api.GetBatchHostsAsync(id, limit: Components.Pages.Batch.HostsShown, ct: part.Aborted)).Items;
            await part.SendAsync<BatchProgress>(new() { ["Batch"] = batch, ["Hosts"] = hosts });
            return batch.EndedAt is not null;
        }, part.Aborted);
    });

    /// <summary>A request's machines, one by one: its own events (its status) and its owner's (the installs' jobs and
    /// steps), throttled like a batch's.</summary>
    public static Task RequestAsync(long id, HttpContext http, PortalApi portal, ILoggerFactory logs) => RunAsync(http, portal, logs, part =>
        FollowOwnedAsync(part, ct => part.Api.GetRequestAsync(id, ct), r => r.User, RequestProgress.Of, r => Components.Pages.Request.Settled(r.Status)));

    /// <summary>A pool's members as they are replaced, added and given back: as a request's, until it is deleted and empty.</summary>
    public static Task PoolAsync(long id, HttpContext http, PortalApi portal, ILoggerFactory logs) => RunAsync(http, portal, logs, part =>
        FollowOwnedAsync(part, ct => part.Api.GetPoolAsync(id, ct), p => p.User, RequestProgress.Of, Components.Pages.Pool.Settled));

    /// <summary>Something whose changes come as its owner's events (a request, a pool).</summary>
    private static async Task FollowOwnedAsync<T>(Part part, Func<CancellationToken, Task<T>> read, Func<T, string> owner,
                                                  Func<T, Dictionary<string, object?>> parameters, Func<T, bool> settled)
    {
        var first = await read(part.Aborted);
        await using var events = part.Follow(new EventQuery(User: owner(first)));
        await EachBurstAsync(events, async () =>
        {
            var value = await read(part.Aborted);
            await part.SendAsync<RequestProgress>(parameters(value));
            return settled(value);
        }, part.Aborted);
    }

    /// <summary>The shortest time between two renders of a part.</summary>
    private static readonly TimeSpan MinGap = TimeSpan.FromMilliseconds(250);

    /// <summary>Sends the part now and after each event until <paramref name="send"/> says it can no longer change: an
    /// event after a quiet spell is rendered at once; those that follow within <see cref="MinGap"/> of a render are
    /// gathered and rendered together when it has passed.</summary>
    private static async Task EachBurstAsync(LiveEvents events, Func<Task<bool>> send, CancellationToken ct)
    {
        var next = events.NextAsync();
        while (true)
        {
            if (await send()) return;
            var sent = Stopwatch.GetTimestamp();
            if (!await next) return;
            next = events.NextAsync();
            var rest = MinGap - Stopwatch.GetElapsedTime(sent);
            if (rest <= TimeSpan.Zero) continue;
            var gap = Task.Delay(rest, ct);
            while (await Task.WhenAny(next, gap) == next && await next) next = events.NextAsync();
        }
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
