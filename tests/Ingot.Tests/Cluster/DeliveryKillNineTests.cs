using System.Collections.Concurrent;
using System.Text.Json;
using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Ingot.Tests.Cluster;

/// <summary>A node killed with SIGKILL while it delivers a subscription: its lease on the subscription expires, the next
/// node takes it from the last cursor it wrote, and every event reaches the receiver — some of them twice (at least
/// once), none never.</summary>
[Collection(ClusterCollection.Name)]
public sealed class DeliveryKillNineTests
{
    private const int Machines = 60;

    [Fact]
    public async Task A_node_killed_mid_delivery_loses_no_event_the_next_node_sends_the_rest()
    {
        var received = new ConcurrentBag<long>();
        // A slow receiver (100 ms an event): the kill finds the node in the middle of a chunk it has not written back.
        var (web, url) = await LoopbackWeb.StartAsync(app => app.MapPost("/hook", async (HttpContext http) =>
        {
            using var doc = await JsonDocument.ParseAsync(http.Request.Body);
            await Task.Delay(100);
            received.Add(doc.RootElement.GetProperty("id").GetInt64());
            return Results.Ok();
        }));
        await using var stopWeb = web;
        var env = new Dictionary<string, string>(ClusterCollection.FastJobs(workers: 20, leaseSeconds: 2))
        {
            ["INGOT_DELIVERY_LEASE_SECONDS"] = "2",
            ["INGOT_EVENTS_POLL_SECONDS"] = "0.05",
            ["INGOT_BMC_WATCH_RUN"] = "false",
            ["INGOT_DELIVERY_ALLOW_NETWORKS"] = "127.0.0.0/8", // the receiver listens on loopback
        };
        await using var cluster = await ClusterRun.StartAsync(Machines, env, severalNodes: false);
        var first = await cluster.StartNodeAsync();
        await cluster.ImportMachinesAsync(first);
        var admin = cluster.Client(first);
        var sub = await admin.CreateSubscriptionAsync(new SubscriptionCreate("kill9", "webhook", new Uri(url, "hook").ToString(), ["job.succeeded"]));
        var batch = await admin.SubmitBatchAsync(new BatchSubmit(JobActions.PowerOn, [.. cluster.Machines]));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (received.Count < 10) await Task.Delay(20, timeout.Token);
        first.Kill();
        var atKill = received.Count;

        var second = await cluster.StartNodeAsync();
        var client = cluster.Client(second);
        while ((await client.GetBatchAsync(batch.Id, timeout.Token)).EndedAt is null) await Task.Delay(100, timeout.Token);
        var succeeded = (await client.ListEventsAsync(new EventQuery(Types: "job.succeeded", Batch: batch.Id, Limit: 1000), timeout.Token)).Items
            .Select(e => e.Id).ToHashSet();
        Assert.Equal(Machines, succeeded.Count);
        while (!succeeded.IsSubsetOf(received.ToHashSet())) await Task.Delay(50, timeout.Token);
        Assert.True(atKill < Machines, $"the kill came after every delivery ({atKill}): nothing was left to take over");
        Assert.Equal(succeeded.Order(), received.Distinct().Order());
        var view = await client.GetSubscriptionAsync(sub.Id, timeout.Token);
        Assert.Equal(0, view.Dead);
    }
}
