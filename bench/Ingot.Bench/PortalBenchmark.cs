using Microsoft.Extensions.Logging;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Ingot.Client;
using Ingot.Server.Hosting;
using Ingot.Server.SelfService;

namespace Ingot.Bench;

/// <summary>Issue 15's portal figures: the machines page rendered by the server at 100,000 machines (p95, goal < 100 ms)
/// against the API's own list call for the same page in the same run, and the bytes of a first visit (goal < 1 MB).
/// The server runs as `ingot serve` builds it (ServerHost), in this process, on its own: machines imported by CSV
/// through the API, no statistics or index the server would not make itself. A browser's session is an HttpClient
/// with a cookie jar, signed in through the sign-in form as a person would. Then the live-update latency
/// (<see cref="PortalLiveLatency"/>) on the same loaded server.</summary>
public static partial class PortalBenchmark
{
    private const string Url = "http://127.0.0.1:7495";
    private const int Queries = 400, LiveSamples = 100;

    public static async Task RunAsync(IReadOnlyList<string> engines, int machines)
    {
        Console.WriteLine($"== portal benchmark: {machines:N0} machines, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        foreach (var engine in engines) await RunEngineAsync(engine, machines);
    }

    private static async Task RunEngineAsync(string engine, int machines)
    {
        var data = Directory.CreateTempSubdirectory("ingot-bench-portal-").FullName;
        var database = engine == "postgres" ? await InventoryBenchmark.FreshPostgresAsync("ingot_bench_portal") : null;
        var token = Tokens.Generate();
        await using var app = await ServerHost.BuildAsync(new ServerSettings { DataDirectory = data, Database = database, Urls = [Url], AdminToken = token },
            logging: l => { if (Environment.GetEnvironmentVariable("INGOT_BENCH_DEBUG") is not null) l.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning); });
        await app.StartAsync();
        var api = new IngotClient(new Uri(Url + "/"), token);
        await InventoryBenchmark.CatalogAsync(api);
        for (var from = 0; from < machines; from += 10_000)
        {
            var result = await api.ImportMachinesAsync(InventoryBenchmark.Csv(from, Math.Min(machines, from + 10_000)));
            if (result.Rejected > 0) throw new InvalidOperationException($"import rejected rows: {result.Errors[0].Reason}");
        }
        using var browser = await SignInAsync(token);
        var cursor = (await api.SearchMachinesAsync(new MachineQuery(Site: "lon1", Limit: 100))).Next!;

        (string Name, string Query)[] pages = [("first page, no filter", ""), ("site=lon1", "site=lon1"), ("site=lon1, a later page", $"site=lon1&after={cursor}")];
        Console.WriteLine($"-- {engine}: {machines:N0} machines, {Queries} calls of each, sequential, after 50 to warm up");
        foreach (var (name, query) in pages)
        {
            // Interleaved, call for call, so that whatever else the machine does (PostgreSQL's autovacuum after the import)
            // falls on both alike.
            var apiPath = $"/api/v1/machines?limit=100{(query.Length > 0 ? "&" + query : "")}";
            var portalPath = $"/machines{(query.Length > 0 ? "?" + query : "")}";
            var (apiCall, portal) = await Latency.PairAsync(Queries, _ => GetOkAsync(browser.Api, apiPath), _ => GetOkAsync(browser.Portal, portalPath, rows: true));
            Console.WriteLine(F($"   {name,-26} API list  p50 {apiCall.P50,6:F2}  p95 {apiCall.P95,6:F2}  p99 {apiCall.P99,6:F2} ms"));
            Console.WriteLine(F($"   {"",-26} portal    p50 {portal.P50,6:F2}  p95 {portal.P95,6:F2}  p99 {portal.P99,6:F2} ms   p95 {portal.P95 / apiCall.P95:F2}× the API's"));
        }
        // A first visit: the sign-in page with its stylesheet and script, then the machines page (the assets are cached).
        long Bytes(HttpResponseMessage r) => r.Content.Headers.ContentLength ?? r.Content.ReadAsByteArrayAsync().Result.Length;
        using var fresh = new HttpClient { BaseAddress = new Uri(Url) };
        long first = 0;
        foreach (var path in new[] { "/sign-in", "/portal/assets/portal.css", "/portal/assets/portal.js" })
            using (var r = await fresh.GetAsync(path)) first += Bytes(r);
        long machinesPage;
        using (var r = await browser.Portal.GetAsync("/machines")) machinesPage = Bytes(r);
        Console.WriteLine(F($"   first visit (sign-in page, CSS, script): {first / 1024.0:F1} KiB; the machines page of 100 rows: {machinesPage / 1024.0:F1} KiB (goal: a first load < 1 MB)"));
        var (live, stream) = await PortalLiveLatency.MeasureAsync(Url, api, token, LiveSamples);
        Console.WriteLine(F($"   live update, event → API stream client  p50 {stream.P50,6:F1}  p95 {stream.P95,6:F1}  max {stream.Max,6:F1} ms (n={stream.Count})"));
        Console.WriteLine(F($"   live update, event → page in Chromium   p50 {live.P50,6:F1}  p95 {live.P95,6:F1}  max {live.Max,6:F1} ms   p95 {live.P95 / stream.P95:F2}× the stream's (goal < 1 s)"));
        await app.StopAsync();
        Directory.Delete(data, true);
    }

    private sealed record Browser(HttpClient Portal, HttpClient Api) : IDisposable
    {
        public void Dispose() { Portal.Dispose(); Api.Dispose(); }
    }

    /// <summary>Signs in through the form (its antiforgery token and cookie) as a browser would.</summary>
    private static async Task<Browser> SignInAsync(string token)
    {
        var portal = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri(Url) };
        var form = await portal.GetStringAsync("/sign-in");
        var antiforgery = Antiforgery().Match(form).Groups[1].Value;
        using var signIn = await portal.PostAsync("/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = antiforgery, ["_handler"] = "sign-in", ["Form.Token"] = token, ["Form.ReturnUrl"] = "/machines",
        }));
        if (signIn.StatusCode != HttpStatusCode.Found) throw new InvalidOperationException($"sign-in answered {(int)signIn.StatusCode}");
        var api = new HttpClient { BaseAddress = new Uri(Url) };
        api.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return new Browser(portal, api);
    }

    private static async Task GetOkAsync(HttpClient http, string path, bool rows = false)
    {
        using var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}");
        if (rows && !body.Contains("Machines found", StringComparison.Ordinal)) throw new InvalidOperationException($"GET {path} rendered no table");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Antiforgery();

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
