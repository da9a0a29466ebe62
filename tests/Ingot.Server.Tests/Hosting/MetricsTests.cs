using System.Net;
using Ingot.Client;
using Ingot.Labs;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Server.Tests.Jobs;

namespace Ingot.Server.Tests.Hosting;

/// <summary>A fleet server for the metrics tests: 127.0.44.x.</summary>
public sealed class MetricsFleet() : SimulatedFleetServer("127.0.44.1", 6);

/// <summary>/metrics in Prometheus's format, scraped by a real Prometheus, whose PromQL answer counts the jobs run.</summary>
public sealed class MetricsTests(MetricsFleet fleet) : IClassFixture<MetricsFleet>
{
    [Fact]
    public async Task ARealPrometheus_ScrapesTheServer_AndCountsTheJobsOfASite()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var admin = fleet.Server.Admin;
        var site = Unique.Name("metrics");
        await admin.CreateSiteAsync(new SiteCreate(site), timeout.Token);
        var token = (await admin.CreateTokenAsync(new TokenCreate("prometheus", Scope: ["read"]), timeout.Token)).Token;
        await using var prometheus = await PrometheusProcess.StartAsync(fleet.Server.Url.Authority, token);
        for (var i = 0; i < 3; i++)
        {
            var (machine, _) = await fleet.MachineAsync(site);
            Assert.Equal(JobStatus.Succeeded, (await fleet.RunAsync(machine, JobActions.PowerOn)).Status);
        }
        var query = $"sum(ingot_jobs_ended_total{{site=\"{site}\",outcome=\"succeeded\",action=\"power_on\"}})";
        double? value;
        while ((value = await prometheus.QueryAsync(query, timeout.Token)) != 3)
        {
            var (health, error) = await prometheus.TargetAsync(timeout.Token);
            Assert.True(health != "down", $"Prometheus cannot scrape Ingot: {error}");
            await Task.Delay(250, timeout.Token);
        }
        Assert.Equal(3, value);
        Assert.True(await prometheus.QueryAsync("sum(ingot_job_step_duration_seconds_count{action=\"power_on\"})", timeout.Token) >= 3);
    }

    [Fact]
    public async Task Metrics_NameTheBrokersBatchesAndHttp_AndNeedAToken()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (machine, _) = await fleet.MachineAsync();
        await fleet.Server.Admin.SubmitBatchAsync(new BatchSubmit(JobActions.PowerOn, [machine.HardwareName]), ct: timeout.Token);
        using var http = fleet.Server.Http(fleet.Server.AdminToken);
        string[] names =
        [
            "# TYPE ingot_batch_acceptance_duration_seconds histogram", "ingot_job_queue_lag_seconds_bucket", "# TYPE ingot_jobs_ended_total counter",
            "ingot_bmcs{", "http_server_request_duration_seconds_bucket",
        ];
        // The exporter answers from a cache of its last scrape (300 ms) and the gauges are sampled every 5 s: look again
        // until every name is there, then say which one never came.
        var text = "";
        try
        {
            while (!names.All((text = await http.GetStringAsync("metrics", timeout.Token)).Contains)) await Task.Delay(200, timeout.Token);
        }
        catch (OperationCanceledException)
        {
        }
        foreach (var name in names) Assert.Contains(name, text);
        using var anonymous = new HttpClient { BaseAddress = fleet.Server.Url };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("metrics", timeout.Token)).StatusCode);
    }
}
