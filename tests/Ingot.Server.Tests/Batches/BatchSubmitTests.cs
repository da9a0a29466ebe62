using System.Net;
using System.Text.Json;
using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.Batches;

/// <summary>Acceptance: validation, overlap and idempotency, on a server whose workers do not run (jobs stay queued, so
/// the batches stay active and hold their machines for as long as a test looks).</summary>
public sealed class BatchSubmitTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    private async Task<List<MachineView>> MachinesAsync(int count, params string[] triggers)
    {
        var machines = new List<MachineView>();
        for (var i = 0; i < count; i++)
        {
            var m = await Server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial(),
                Bmc: new BmcInput("ipmi", "127.0.9.9", 623, "admin", "password")));
            foreach (var t in triggers) m = await Server.Admin.TransitionAsync(m.HardwareName, t);
            machines.Add(m);
        }
        return machines;
    }

    /// <summary>By hardware_name: a machine has a hostname only with a role, and these have none.</summary>
    private static string[] Hosts(IEnumerable<MachineView> machines) => [.. machines.Select(m => m.HardwareName)];

    [Fact]
    public async Task ABatch_IsAcceptedAtOnce_WithOneQueuedJobPerHost()
    {
        var machines = await MachinesAsync(3);
        using var http = Server.Http();
        var response = await http.PostAsync("api/v1/batches", System.Net.Http.Json.JsonContent.Create(
            new BatchSubmit(JobActions.PowerCycle, Hosts(machines)), options: IngotJson.Options));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var batch = JsonSerializer.Deserialize<BatchView>(await response.Content.ReadAsStringAsync(), IngotJson.Options)!;
        Assert.Equal((BatchStatus.Queued, 3, 3L), (batch.Status, batch.Hosts, batch.Counts.Queued));
        // The 201 is built from what was written, not read back: it must say exactly what a read says.
        Assert.Equal(JsonSerializer.Serialize(batch, IngotJson.Options), JsonSerializer.Serialize(await Server.Admin.GetBatchAsync(batch.Id), IngotJson.Options));
        var hosts = await Server.Admin.GetBatchHostsAsync(batch.Id);
        Assert.Equal(machines.Select(m => m.Id).Order(), hosts.Items.Select(h => h.MachineId).Order());
        var job = await Server.Admin.GetJobAsync(hosts.Items[0].JobId);
        Assert.Equal((batch.Id, $"batch:{batch.Id}"), (job.BatchId, job.Requester));
        await Server.Admin.CancelBatchAsync(batch.Id);
    }

    [Fact]
    public async Task EveryReason_IsListed_PerHost_AndNothingIsQueued()
    {
        var available = await MachinesAsync(1, "commission");
        var inUse = await MachinesAsync(1, "commission", "allocate", "install", "finish_install");
        var maintained = await MachinesAsync(1);
        await Server.Admin.SetMaintenanceAsync(maintained[0].HardwareName, true, "PSU");
        var noBmc = await Server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial()));
        var hosts = new[] { inUse[0].HardwareName, maintained[0].HardwareName, noBmc.HardwareName, "ghost.example", inUse[0].HardwareName, available[0].HardwareName };
        var e = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.SubmitBatchAsync(new BatchSubmit(JobActions.Recycle, hosts)));
        Assert.Equal(422, e.Problem.Status);
        var reasons = e.Problem.Extensions!["hosts"].EnumerateArray()
            .Select(h => $"{h.GetProperty("host").GetString()}: {h.GetProperty("reason").GetString()}").ToList();
        Assert.Equal(6, reasons.Count);
        Assert.Contains(reasons, r => r.StartsWith(inUse[0].HardwareName) && r.Contains("pass force: true"));
        Assert.Contains(reasons, r => r.StartsWith(inUse[0].HardwareName) && r.Contains("more than once"));
        Assert.Contains(reasons, r => r.StartsWith(maintained[0].HardwareName) && r.Contains("maintenance"));
        Assert.Contains(reasons, r => r.StartsWith(noBmc.HardwareName) && r.Contains("no BMC"));
        Assert.Contains(reasons, r => r.StartsWith("ghost.example") && r.Contains("no machine"));
        Assert.Contains(reasons, r => r.StartsWith(available[0].HardwareName) && r.Contains("'available': 'recycle' is not allowed"));
        Assert.Empty((await Server.Admin.ListJobsAsync(new JobQuery(Machine: available[0].HardwareName))).Items);
    }

    [Fact]
    public async Task WipeDisks_OnAnInUseMachineWithoutForce_IsRefused_ListingTheHost_AndForceAcceptsIt()
    {
        var inUse = await MachinesAsync(1, "commission", "allocate", "install", "finish_install");
        var available = await MachinesAsync(1, "commission");
        var e = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.SubmitBatchAsync(
            new BatchSubmit(JobActions.WipeDisks, [.. Hosts(inUse), .. Hosts(available)])));
        Assert.Equal(422, e.Problem.Status);
        var refused = Assert.Single(e.Problem.Extensions!["hosts"].EnumerateArray());
        Assert.Equal(inUse[0].HardwareName, refused.GetProperty("host").GetString());
        Assert.Contains("'wipe_disks' would erase it; pass force: true", refused.GetProperty("reason").GetString());
        Assert.Empty((await Server.Admin.ListJobsAsync(new JobQuery(Machine: available[0].HardwareName))).Items);

        var batch = await Server.Admin.SubmitBatchAsync(new BatchSubmit(JobActions.WipeDisks, [.. Hosts(inUse), .. Hosts(available)], Force: true));
        Assert.Equal(2, batch.Hosts);
        await Server.Admin.CancelBatchAsync(batch.Id);
    }

    [Fact]
    public async Task Force_AllowsADestructiveActionOnInUseMachines()
    {
        var inUse = await MachinesAsync(2, "commission", "allocate", "install", "finish_install");
        var batch = await Server.Admin.SubmitBatchAsync(new BatchSubmit(JobActions.Recycle, Hosts(inUse), Force: true));
        Assert.True(batch.Force);
        await Server.Admin.CancelBatchAsync(batch.Id);
    }

    [Theory]
    [InlineData("""{"action":"explode","hosts":["a"]}""", "action")]
    [InlineData("""{"action":"power_on","hosts":[]}""", "hosts")]
    [InlineData("""{"action":"reimage","hosts":["a"]}""", "params.image")]
    public async Task BadBodies_Are422_NamingTheField(string body, string field)
    {
        using var http = Server.Http();
        var problem = await (await http.PostAsync("api/v1/batches", new StringContent(body, System.Text.Encoding.UTF8, "application/json")))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.True(problem.Errors!.ContainsKey(field), string.Join(",", problem.Errors.Keys));
    }

    [Fact]
    public async Task TooManyHosts_Is422()
    {
        var e = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.SubmitBatchAsync(
            new BatchSubmit(JobActions.PowerOn, [.. Enumerable.Range(0, 10_001).Select(i => $"h{i}")])));
        Assert.Contains("at most 10000", e.Problem.Errors!["hosts"].Single());
    }

    [Fact]
    public async Task TheMaximumBatchSize_IsTheServersOption()
    {
        await using var small = await TestServer.StartAsync(jobs: new Ingot.Server.Jobs.JobOptions { RunWorkers = false, BatchMaxHosts = 2 });
        var e = await Assert.ThrowsAsync<IngotApiException>(() => small.Admin.SubmitBatchAsync(new BatchSubmit(JobActions.PowerOn, ["a", "b", "c"])));
        Assert.Contains("at most 2", e.Problem.Errors!["hosts"].Single());
    }

    [Fact]
    public async Task AHostInAnActiveBatch_MakesTheWholeBatchFail_NamingTheBatchThatHoldsIt()
    {
        var machines = await MachinesAsync(3);
        var first = await Server.Admin.SubmitBatchAsync(new BatchSubmit(JobActions.PowerOn, Hosts(machines.Take(2))));
        var e = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.SubmitBatchAsync(new BatchSubmit(JobActions.PowerOff, Hosts(machines.Skip(1)))));
        Assert.Equal(409, e.Problem.Status);
        var held = Assert.Single(e.Problem.Extensions!["hosts"].EnumerateArray());
        Assert.Equal((machines[1].HardwareName, first.Id), (held.GetProperty("host").GetString(), held.GetProperty("batch").GetInt64()));
        Assert.Empty((await Server.Admin.ListJobsAsync(new JobQuery(Machine: machines[2].HardwareName))).Items);

        // Cancelling frees the machines: the same hosts are accepted again.
        await Server.Admin.CancelBatchAsync(first.Id);
        var again = await Server.Admin.SubmitBatchAsync(new BatchSubmit(JobActions.PowerOff, Hosts(machines.Skip(1))));
        Assert.Equal(BatchStatus.Cancelled, (await Server.Admin.GetBatchAsync(first.Id)).Status);
        await Server.Admin.CancelBatchAsync(again.Id);
    }

    [Fact]
    public async Task FiftyConcurrentOverlappingSubmissions_AcceptOnlyDisjointBatches_AndEveryRejectionNamesARealHolder()
    {
        var machines = await MachinesAsync(51);
        var hosts = Hosts(machines);
        // Submission i asks for hosts i and i+1: each overlaps its neighbours.
        var attempts = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
        {
            try { return (i, Batch: await Server.Admin.SubmitBatchAsync(new BatchSubmit(JobActions.PowerOn, [hosts[i], hosts[i + 1]])), Error: (IngotApiException?)null); }
            catch (IngotApiException e) { return (i, Batch: (BatchView?)null, Error: e); }
        }));
        var accepted = attempts.Where(a => a.Batch is not null).ToList();
        Assert.NotEmpty(accepted);
        var claimed = new Dictionary<string, long>();
        foreach (var a in accepted)
            foreach (var h in (await Server.Admin.GetBatchHostsAsync(a.Batch!.Id)).Items)
                Assert.True(claimed.TryAdd(h.HardwareName, a.Batch.Id), $"{h.HardwareName} is in two batches");
        foreach (var (i, _, error) in attempts.Where(a => a.Error is not null))
        {
            Assert.Equal(409, error!.Problem.Status);
            foreach (var held in error.Problem.Extensions!["hosts"].EnumerateArray())
                Assert.Equal(claimed[held.GetProperty("host").GetString()!], held.GetProperty("batch").GetInt64());
        }
        foreach (var a in accepted) await Server.Admin.CancelBatchAsync(a.Batch!.Id);
    }

    [Fact]
    public async Task TheSameIdempotencyKey_ReturnsTheSameBatch_AndAnotherBodyWithItIsRefused()
    {
        var machines = await MachinesAsync(2);
        var key = Guid.NewGuid().ToString();
        var first = await Server.Admin.SubmitBatchAsync(new BatchSubmit(JobActions.PowerOn, Hosts(machines)), key);
        var again = await Server.Admin.SubmitBatchAsync(new BatchSubmit(JobActions.PowerOn, Hosts(machines)), key);
        Assert.Equal(first.Id, again.Id);
        var e = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.SubmitBatchAsync(new BatchSubmit(JobActions.PowerOff, Hosts(machines)), key));
        Assert.Equal(422, e.Problem.Status);
        await Server.Admin.CancelBatchAsync(first.Id);
    }
}
