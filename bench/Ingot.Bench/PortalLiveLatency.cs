using System.Collections.Concurrent;
using Ingot.Client;
using Microsoft.Playwright;

namespace Ingot.Bench;

/// <summary>Issue 15's live-update figure: from an event's time (written in the transaction of the change) to the moment
/// the page in Debian's Chromium shows the change, through the portal's live part (the API's event stream, a server
/// render, its own server-sent events, portal.js's swap). The baseline, in the same run and for the same events: a plain
/// client of the API's event stream, as `ingot events --follow` reads it. The change is a provisioning request cancelled
/// while its page is open (a request for a SKU no machine has waits, so nothing else moves). Same machine, same clock.</summary>
internal static class PortalLiveLatency
{
    private const string Chromium = "/usr/bin/chromium";

    public static async Task<(Latency Page, Latency Stream)> MeasureAsync(string url, IngotClient api, string token, int samples)
    {
        await api.CreateTeamAsync(new TeamCreate("live"));
        await api.CreateRoleAsync(new RoleCreate("live-role", "live"));
        await api.CreateSkuAsync(new SkuCreate("live-none", 1, 1, 1, 1, 1));
        await api.CreateImageAsync(new ImageCreate("live-image", ImageKind.Install, "http://images.invalid/k", "http://images.invalid/i"));
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = url });
        await page.GotoAsync("/sign-in");
        await page.GetByLabel("API token").FillAsync(token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync("**/machines");

        using var stop = new CancellationTokenSource();
        var received = new ConcurrentDictionary<long, DateTimeOffset>();
        var follower = Task.Run(async () =>
        {
            await foreach (var e in api.StreamEventsAsync(new EventQuery(Types: "request.cancelled"), stop.Token)) received[e.Id] = DateTimeOffset.UtcNow;
        });
        var (pageMs, streamMs) = (new double[samples], new double[samples]);
        const int warmUp = 5; // the first renders pay for JIT and the browser's first stream
        for (var i = -warmUp; i < samples; i++)
        {
            var request = await api.CreateRequestAsync(new RequestCreate("live-role", "lon1", "live-none", 1, "live-image"));
            await page.GotoAsync($"/requests/{request.Id}");
            await page.WaitForSelectorAsync("[data-live][data-live-updates]"); // the live part is open and has sent its first render
            await page.EvaluateAsync("""
                () => {
                  window.__shownAt = 0;
                  const region = document.querySelector("[data-live]");
                  const watch = new MutationObserver(() => {
                    if (region.querySelector(".status")?.textContent === "cancelled") { window.__shownAt = Date.now(); watch.disconnect(); }
                  });
                  watch.observe(region, { childList: true, subtree: true, characterData: true });
                }
                """);
            await api.CancelRequestAsync(request.Id);
            var shown = await (await page.WaitForFunctionAsync("() => window.__shownAt || null")).JsonValueAsync<double>();
            var ev = (await api.ListEventsAsync(new EventQuery(Types: "request.cancelled", Subject: $"request:{request.Id}"))).Items.Single();
            while (!received.ContainsKey(ev.Id)) await Task.Delay(5);
            if (i < 0) continue;
            pageMs[i] = shown - ev.At.ToUnixTimeMilliseconds() - ev.At.Ticks % TimeSpan.TicksPerMillisecond / (double)TimeSpan.TicksPerMillisecond;
            streamMs[i] = (received[ev.Id] - ev.At).TotalMilliseconds;
            if (Environment.GetEnvironmentVariable("INGOT_BENCH_DEBUG") is not null) Console.WriteLine($"   sample {i}: page {pageMs[i]:F1} ms, stream {streamMs[i]:F1} ms");
        }
        await stop.CancelAsync();
        try { await follower; } catch (OperationCanceledException) { }
        return (Latency.Of(pageMs), Latency.Of(streamMs));
    }
}
