using System.Diagnostics;
using System.Globalization;
using Ingot.Client;
using Xunit.Abstractions;

namespace Ingot.Tests.Cluster;

/// <summary>The overlap rule across processes: two `ingot serve` nodes on one database accept concurrent batches
/// over overlapping hosts, and only the database (a claim row per machine) keeps them apart — neither node knows
/// what the other is accepting. Workers are off, so no job ever starts or ends: an accepted batch holds its machines
/// for as long as the test looks, and the only way a claim is released is the cancel the test makes.</summary>
[Collection(ClusterCollection.Name)]
public sealed class BatchOverlapTests(ITestOutputHelper output)
{
    /// <summary>Submissions, and the machines of the ring they take their hosts from.</summary>
    private const int Submissions = 50;

    /// <summary>Hosts per submission: submission i takes ring positions i .. i+Window-1, so each overlaps the six
    /// nearest submissions, and the last ones wrap around onto the first machines.</summary>
    private const int Window = 4;

    /// <summary>Machines beyond the ring, in no submission: the resubmission at the end pairs a freed host with one.</summary>
    private const int Spare = 10;

    private sealed record Attempt(int Index, ServeProcess Via, IReadOnlyList<string> Hosts, BatchView? Batch, IngotApiException? Refusal, Exception? Failure);

    [Fact]
    public async Task Fifty_concurrent_overlapping_batches_through_two_nodes_accept_only_disjoint_ones_and_every_refusal_names_a_real_holder()
    {
        var clock = Stopwatch.StartNew();
        // No workers: jobs stay queued, and the BMCs (simulated, reachable) are never spoken to.
        await using var cluster = await ClusterRun.StartAsync(Submissions + Spare, new Dictionary<string, string> { ["INGOT_JOBS_RUN_WORKERS"] = "false" });
        var a = await cluster.StartNodeAsync();
        var b = await cluster.StartNodeAsync();
        await cluster.ImportMachinesAsync(a);
        var machines = cluster.Machines;
        var clients = new Dictionary<ServeProcess, IngotClient> { [a] = cluster.Client(a), [b] = cluster.Client(b) };
        output.WriteLine($"{cluster.Store.Engine}: 2 nodes up, {machines.Count} machines imported after {clock.Elapsed.TotalSeconds:0.0} s");

        var ring = machines.Take(Submissions).ToArray();
        var spare = machines.Skip(Submissions).ToArray();
        // Odd submissions list their hosts backwards: users send hosts in any order, and two transactions claiming
        // the same machines in opposite orders are the classic way to a deadlock (a 500 here) instead of a 409.
        IReadOnlyList<string> HostsOf(int i)
        {
            var hosts = Enumerable.Range(i, Window).Select(k => ring[k % ring.Length]).ToList();
            if (i % 2 == 1) hosts.Reverse();
            return hosts;
        }

        // One batch through each node first, cancelled at once: a node's first submission pays for its JIT, and a cold
        // node B would answer after warm node A had accepted everything (the first runs saw all 12 winners on A).
        var warmUps = new List<long>();
        foreach (var (node, host) in new[] { (a, spare[^1]), (b, spare[^2]) })
        {
            var warm = await clients[node].SubmitBatchAsync(new BatchSubmit(JobActions.PowerOn, [host]));
            await clients[node].CancelBatchAsync(warm.Id);
            warmUps.Add(warm.Id);
        }

        // Every request waits at the gate, so the 50 reach the two nodes together; submission i goes through node
        // i mod 2, so neighbours (which overlap) race across processes. The tasks are created in a shuffled order,
        // which is the order their continuations leave the gate: otherwise the requests start nearly in index order
        // and the race degenerates into 0 wins, 1-3 lose, 4 wins, … The seed is in the output, for a failure report.
        var seed = Environment.TickCount;
        output.WriteLine($"shuffle seed {seed}");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var order = Enumerable.Range(0, Submissions).ToArray();
        new Random(seed).Shuffle(order);
        var pending = order.Select(async i =>
        {
            var via = i % 2 == 0 ? a : b;
            var hosts = HostsOf(i);
            await gate.Task;
            try { return new Attempt(i, via, hosts, await clients[via].SubmitBatchAsync(new BatchSubmit(JobActions.PowerOn, hosts)), null, null); }
            catch (IngotApiException e) { return new Attempt(i, via, hosts, null, e, null); }
            catch (Exception e) { return new Attempt(i, via, hosts, null, null, e); }
        }).ToList();
        gate.SetResult();
        var attempts = (await Task.WhenAll(pending)).OrderBy(x => x.Index).ToList();
        var accepted = attempts.Where(x => x.Batch is not null).ToList();
        var refused = attempts.Where(x => x.Refusal is { Status: 409 }).ToList();
        output.WriteLine($"{accepted.Count} accepted, {refused.Count} refused after {clock.Elapsed.TotalSeconds:0.0} s " +
                         $"(accepted through {a.Name}: {accepted.Count(x => x.Via == a)}, {b.Name}: {accepted.Count(x => x.Via == b)})");

        // Each submission was either accepted or refused as an overlap: a 500 (a deadlock, a busy database, a unique
        // violation that escaped) or a 422 would be a failure of the concurrency handling, not a valid answer.
        var other = attempts.Where(x => x.Batch is null && x.Refusal is not { Status: 409 }).ToList();
        Assert.True(other.Count == 0, "submissions neither accepted nor refused with 409:\n" +
            string.Join("\n", other.Select(x => $"  #{x.Index} via {x.Via.Name}: {(object?)x.Refusal ?? x.Failure}")) + "\n" + ServerErrors(cluster));
        Assert.Equal(Submissions, accepted.Count + refused.Count);

        // The accepted batches, read back through the API (alternating nodes): each has exactly its own four
        // machines, each with a queued job, and no machine is in two of them.
        var holder = new Dictionary<string, long>();
        foreach (var x in accepted)
        {
            var hosts = await clients[x.Index % 2 == 0 ? b : a].GetBatchHostsAsync(x.Batch!.Id);
            Assert.Equal(x.Hosts.Order(StringComparer.Ordinal), hosts.Items.Select(h => h.HardwareName).Order(StringComparer.Ordinal));
            foreach (var h in hosts.Items)
            {
                Assert.Equal(JobStatus.Queued, h.Status);
                Assert.True(holder.TryAdd(h.HardwareName, x.Batch.Id),
                    $"{h.HardwareName} is in batch {holder.GetValueOrDefault(h.HardwareName)} and in batch {x.Batch.Id} (submission #{x.Index})");
            }
        }
        // A ring of 50 with windows of 4 holds at most 12 disjoint windows; fewer is fine (which ones win is a race).
        Assert.InRange(accepted.Count, 1, Submissions / Window);

        // Every refusal lists hosts of its own submission, each with an accepted batch that really holds it; and
        // since nothing is released during the race, a refusal always has at least one such host to name.
        var acceptedIds = accepted.Select(x => x.Batch!.Id).ToHashSet();
        foreach (var x in refused)
        {
            var listed = x.Refusal!.Problem.Extensions?.GetValueOrDefault("hosts");
            Assert.True(listed is { ValueKind: System.Text.Json.JsonValueKind.Array } && listed.Value.GetArrayLength() > 0,
                $"refusal of submission #{x.Index} via {x.Via.Name} lists no hosts: {x.Refusal}");
            foreach (var held in listed!.Value.EnumerateArray())
            {
                var host = held.GetProperty("host").GetString()!;
                var batch = held.GetProperty("batch").GetInt64();
                Assert.True(x.Hosts.Contains(host), $"refusal of submission #{x.Index} names {host}, which it did not ask for ({string.Join(", ", x.Hosts)})");
                Assert.True(acceptedIds.Contains(batch), $"refusal of submission #{x.Index} names batch {batch}, which no submission was given");
                Assert.True(holder.TryGetValue(host, out var actual) && actual == batch,
                    $"refusal of submission #{x.Index} says batch {batch} holds {host}; the batches' hosts say {(holder.TryGetValue(host, out var h2) ? $"batch {h2}" : "nobody")}");
            }
        }

        // Nothing of a refused submission reached the database: the batches there are exactly the accepted ones, and
        // the queued jobs exactly theirs.
        var stored = await AllBatchesAsync(clients[a]);
        Assert.Equal(acceptedIds.Order(), stored.Select(s => s.Id).Except(warmUps).Order());
        Assert.Equal(accepted.Count * Window, (await clients[b].GetBrokerStatusAsync()).Queued);

        // Cancelling one batch through node A frees its machines for node B: a batch over one of them (with a spare
        // machine) is accepted, while one over a machine another batch still holds is refused naming that batch.
        var freed = accepted[0];
        var cancelled = await clients[a].CancelBatchAsync(freed.Batch!.Id);
        Assert.Equal(BatchStatus.Cancelled, cancelled.Status);
        var again = await clients[b].SubmitBatchAsync(new BatchSubmit(JobActions.PowerOn, [freed.Hosts[1], spare[0]]));
        var againHosts = await clients[a].GetBatchHostsAsync(again.Id);
        Assert.Equal(new[] { freed.Hosts[1], spare[0] }.Order(StringComparer.Ordinal), againHosts.Items.Select(h => h.HardwareName).Order(StringComparer.Ordinal));
        if (accepted.Count > 1)
        {
            var still = accepted[1];
            var e = await Assert.ThrowsAsync<IngotApiException>(() => clients[b].SubmitBatchAsync(new BatchSubmit(JobActions.PowerOn, [still.Hosts[0], spare[1]])));
            Assert.Equal(409, e.Status);
            var held = Assert.Single(e.Problem.Extensions!["hosts"].EnumerateArray());
            Assert.Equal((still.Hosts[0], still.Batch!.Id), (held.GetProperty("host").GetString(), held.GetProperty("batch").GetInt64()));
        }
        output.WriteLine($"done after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.False(a.HasExited || b.HasExited, "a node died during the run\n" + cluster.Logs());
    }

    /// <summary>The nodes' logged errors other than the refusals: each 409 is logged with its stack trace, so a log's
    /// tail is all refusals and would hide the one error that matters (a deadlock, say).</summary>
    private static string ServerErrors(ClusterRun cluster)
    {
        var text = new System.Text.StringBuilder();
        foreach (var node in cluster.Nodes)
        {
            using var reader = new StreamReader(new FileStream(node.LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            var errors = reader.ReadToEnd().Split('\n')
                .Where(l => l.Contains("Exception", StringComparison.Ordinal) && !l.Contains(nameof(Ingot.Server.Batches.BatchOverlapException), StringComparison.Ordinal))
                .Take(10).ToList();
            text.Append(CultureInfo.InvariantCulture, $"--- {node.Name}: {errors.Count} logged errors besides the refusals (first 10)\n");
            foreach (var line in errors) text.Append(line.Length > 2000 ? line[..2000] + " …" : line).Append('\n');
        }
        return text.ToString();
    }

    private static async Task<List<BatchView>> AllBatchesAsync(IngotClient client)
    {
        var all = new List<BatchView>();
        string? after = null;
        do
        {
            var page = await client.ListBatchesAsync(new BatchQuery(Limit: 1000, After: after));
            all.AddRange(page.Items);
            after = page.Next;
        }
        while (after is not null);
        return all;
    }
}
