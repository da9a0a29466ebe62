using System.Text;
using Ingot.Client;
using Ingot.Portal.Components.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Ingot.Portal;

/// <summary>The live parts of the pages (portal.js follows them): a server-sent event stream per part that sends the
/// part again, rendered by the page's own component, each time the API's event stream says it changed — the job's
/// steps as they start and end — and says <c>done</c> when it can no longer change. No polling: one API stream per
/// open part, read as the signed-in user.</summary>
internal static class LiveParts
{
    public static async Task JobAsync(long id, HttpContext http, PortalApi portal, ILoggerFactory logs)
    {
        var token = PortalSession.TokenOf(http.User);
        var api = portal.As(token);
        var ct = http.RequestAborted;
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-store";
        await using var renderer = new HtmlRenderer(http.RequestServices, logs);
        try
        {
            // The stream first, then the job: a change between the two is then in the stream, not lost.
            await using var events = portal.As(token, streaming: true).StreamEventsAsync(new EventQuery(Subject: $"job:{id}"), ct).GetAsyncEnumerator(ct);
            var next = events.MoveNextAsync();
            var job = await api.GetJobAsync(id, ct);
            await SendAsync(http, renderer, job, ct);
            while (job.EndedAt is null && await next)
            {
                job = await api.GetJobAsync(id, ct);
                await SendAsync(http, renderer, job, ct);
                next = events.MoveNextAsync();
            }
            await http.Response.WriteAsync("event: done\ndata: \n\n", ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // the page went away
        }
        catch (IngotApiException e)
        {
            await http.Response.WriteAsync($"event: done\ndata: {e.Problem.Title}\n\n", CancellationToken.None);
        }
    }

    private static async Task SendAsync(HttpContext http, HtmlRenderer renderer, JobView job, CancellationToken ct)
    {
        var html = await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<JobCard>(ParameterView.FromDictionary(new Dictionary<string, object?> { ["Job"] = job }))).ToHtmlString());
        var frame = new StringBuilder("event: html\n");
        foreach (var line in html.Split('\n')) frame.Append("data: ").Append(line.TrimEnd('\r')).Append('\n');
        frame.Append('\n');
        await http.Response.WriteAsync(frame.ToString(), ct);
        await http.Response.Body.FlushAsync(ct);
    }
}
