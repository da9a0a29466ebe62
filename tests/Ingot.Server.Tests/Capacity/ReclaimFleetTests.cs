using Ingot.Client;

namespace Ingot.Server.Tests.Capacity;

/// <summary>Reclaim end to end on simulated machines: a request whose lease ran out keeps its machines (this server does
/// not recycle on expiry); reclaim finds them, and its run wipes them back to available for the next request.</summary>
public sealed class ReclaimFleetTests(KeptLeaseFleet fleet) : IClassFixture<KeptLeaseFleet>
{
    private IngotClient Admin => fleet.Server.Admin;

    [Fact]
    public async Task Machines_kept_past_their_lease_are_reclaimed_recycled_to_available_and_returned_from_their_request()
    {
        var place = await fleet.PlaceAsync(racks: 1);
        await fleet.AvailableAsync(place, "r1");
        var ends = DateTimeOffset.UtcNow.AddSeconds(3);
        var request = await Admin.CreateRequestAsync(new RequestCreate(place.Role, place.Site, place.Sku, 1, "debian-12", ExpiresAt: ends));
        await fleet.WaitAsync(request.Id, r => r.Status == RequestStatus.Fulfilled);
        Assert.Empty((await Admin.ReclaimReportAsync(new ReclaimRunRequest(Site: place.Site))).Machines); // not yet

        await Task.Delay(ends - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(300));
        var kept = await fleet.WaitAsync(request.Id, r => r.InUse == 1 && DateTimeOffset.UtcNow > ends);
        Assert.Equal(RequestStatus.Fulfilled, kept.Status); // the lease ended, the machine was kept
        var report = await Admin.ReclaimReportAsync(new ReclaimRunRequest(Site: place.Site));
        var line = Assert.Single(report.Machines);
        Assert.Equal((kept.Machines[0].MachineId, ReclaimRules.LeaseExpired, "in_use"), (line.MachineId, line.Rule, line.State));
        Assert.StartsWith($"the lease of request {request.Id} ended ", line.Reason);

        var run = await Admin.ReclaimAsync(new ReclaimRunRequest(Site: place.Site, Expect: 1));
        var batch = Assert.Single(run.Batches);
        var returned = await fleet.WaitAsync(request.Id, r => r.Machines.Single().Status == "returned");
        Assert.Equal(0, returned.InUse);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while ((await Admin.GetBatchAsync(batch.Id)).Status != BatchStatus.Succeeded) await Task.Delay(100, timeout.Token);
        var machine = await Admin.GetMachineAsync(line.HardwareName);
        Assert.Equal((MachineState.Available, (string?)null, (string?)null), (machine.State, machine.Role, machine.Hostname));
        Assert.Empty((await Admin.ReclaimReportAsync(new ReclaimRunRequest(Site: place.Site))).Machines);
    }
}
