using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Ingot.Client;

namespace Ingot.Simulator.Machines;

/// <summary>The answer to one request after its retries: a status and body, or why nothing usable came back.</summary>
public sealed record BootReply(HttpStatusCode? Status, string Body, string? Failure)
{
    public bool Succeeded => Failure is null;
}

/// <summary>The HTTP a booting machine speaks: iPXE's GET of its script, an image's POSTs with its boot token.
/// Retries as docs/boot.md tells installers to (as <c>curl --retry --retry-max-time</c> does): a connection failure, a
/// timeout, 408, 429 or a 5xx is tried again after a doubling, capped backoff until the retry window has passed; any
/// other refusal (403: a spent token) is final at once, because asking again cannot change it.</summary>
internal sealed class BootHttp(HttpClient http, BootTimings timings, TimeProvider clock, MachineLog log)
{
    public Task<BootReply> GetScriptAsync(Uri url, CancellationToken ct) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Get, url), $"GET {url.PathAndQuery}", ct);

    public Task<BootReply> PostAsync<T>(Uri url, string token, T body, string what, CancellationToken ct) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Post, url)
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
            Content = JsonContent.Create(body, options: IngotJson.Options),
        }, $"POST {url.AbsolutePath} {what}", ct);

    private async Task<BootReply> SendAsync(Func<HttpRequestMessage> request, string what, CancellationToken ct)
    {
        long? firstFailure = null;
        var backoff = timings.RetryBackoff;
        for (var attempt = 1; ; attempt++)
        {
            var (reply, retry) = await TryAsync(request, ct);
            firstFailure ??= clock.GetTimestamp(); // the window opens at the first failure: a slow first try does not shorten it
            var left = timings.RetryWindow - clock.GetElapsedTime(firstFailure.Value);
            if (reply.Succeeded || !retry || left <= TimeSpan.Zero)
            {
                log.Write(reply.Succeeded ? $"{what} → {(int)reply.Status!}" : $"{what} → {reply.Failure}{(retry ? $" (gave up after {attempt} tries)" : "")}");
                return reply;
            }
            // The last wait is cut to the window, so the last try comes as the window closes.
            var wait = backoff < left ? backoff : left;
            log.Write($"{what} → {reply.Failure}; trying again in {wait.TotalMilliseconds:0} ms");
            await Task.Delay(wait, clock, ct);
            backoff = backoff * 2 < timings.RetryBackoffMax ? backoff * 2 : timings.RetryBackoffMax;
        }
    }

    /// <returns>The reply, and whether trying again could change it.</returns>
    private async Task<(BootReply Reply, bool Retry)> TryAsync(Func<HttpRequestMessage> make, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(timings.HttpTimeout);
        try
        {
            using var request = make();
            using var response = await http.SendAsync(request, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            var status = response.StatusCode;
            if (response.IsSuccessStatusCode) return (new BootReply(status, body, null), false);
            var transient = status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;
            return (new BootReply(status, body, $"HTTP {(int)status} {Summary(body)}".TrimEnd()), transient);
        }
        catch (HttpRequestException e)
        {
            return (new BootReply(null, "", e.InnerException?.Message ?? e.Message), true);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (new BootReply(null, "", $"no answer within {timings.HttpTimeout.TotalSeconds:0.#} s"), true);
        }
    }

    /// <summary>The start of a refusal's body, on one line, so a log line says why without a page of HTML.</summary>
    private static string Summary(string body)
    {
        var line = body.ReplaceLineEndings(" ").Trim();
        return line.Length <= 160 ? line : line[..160] + "…";
    }
}
