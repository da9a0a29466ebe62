using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Ingot.Labs;

/// <summary>A real Prometheus server (Debian's prometheus) on a free 127.0.0.1 port, scraping one target every second
/// with a bearer token, its data in a temporary directory. <see cref="QueryAsync"/> asks it a PromQL query. A missing
/// package is an error, not a skip: the test script installs it.</summary>
public sealed class PrometheusProcess : IAsyncDisposable
{
    public const string Binary = "/usr/bin/prometheus";

    private readonly Process process;
    private readonly string root;
    private readonly HttpClient http;

    private PrometheusProcess(Process process, string root, int port)
    {
        this.process = process;
        this.root = root;
        http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
    }

    /// <param name="target">host:port of what to scrape (its /metrics).</param>
    public static async Task<PrometheusProcess> StartAsync(string target, string bearerToken)
    {
        if (!File.Exists(Binary)) throw new InvalidOperationException($"{Binary} is missing: install the Debian package prometheus");
        var root = Directory.CreateTempSubdirectory("ingot-prometheus-").FullName;
        var port = LabProcesses.FreePort();
        var config = Path.Combine(root, "prometheus.yml");
        await File.WriteAllTextAsync(config,
            $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: ingot
                metrics_path: /metrics
                authorization:
                  credentials: {bearerToken}
                static_configs:
                  - targets: ["{target}"]
            """);
        var start = new ProcessStartInfo(Binary)
        {
            ArgumentList = { $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(root, "data")}", $"--web.listen-address=127.0.0.1:{port}" },
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start prometheus");
        _ = process.StandardError.ReadToEndAsync(); // drain: Prometheus logs to stderr
        _ = process.StandardOutput.ReadToEndAsync();
        var server = new PrometheusProcess(process, root, port);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"prometheus exited ({process.ExitCode})");
            try
            {
                if ((await server.http.GetAsync("-/ready")).StatusCode == HttpStatusCode.OK) return server;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }
            if (DateTime.UtcNow >= deadline) throw new TimeoutException("prometheus did not become ready in 30 s");
            await Task.Delay(100);
        }
    }

    /// <summary>An instant query's single value, or null when it has none (no series yet).</summary>
    public async Task<double?> QueryAsync(string promql, CancellationToken ct)
    {
        using var doc = JsonDocument.Parse(await http.GetStringAsync("api/v1/query?query=" + Uri.EscapeDataString(promql), ct));
        var result = doc.RootElement.GetProperty("data").GetProperty("result");
        if (result.GetArrayLength() == 0) return null;
        return double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
    }

    /// <summary>The scrape target's health as Prometheus sees it ("up", "down", "unknown") and its last error.</summary>
    public async Task<(string Health, string Error)> TargetAsync(CancellationToken ct)
    {
        using var doc = JsonDocument.Parse(await http.GetStringAsync("api/v1/targets", ct));
        var active = doc.RootElement.GetProperty("data").GetProperty("activeTargets");
        if (active.GetArrayLength() == 0) return ("unknown", "");
        return (active[0].GetProperty("health").GetString()!, active[0].GetProperty("lastError").GetString()!);
    }


    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await LabProcesses.StopAsync(process, root);
    }
}
