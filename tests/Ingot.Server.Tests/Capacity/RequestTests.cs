using Microsoft.Extensions.DependencyInjection;
using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Server.Tests.SelfService;
using Ingot.Simulator.Machines;

namespace Ingot.Server.Tests.Capacity;

/// <summary>Issue 13's provisioning requests, end to end on simulated machines that network-boot and install.</summary>
public sealed class RequestTests(RequestFleet fleet) : IClassFixture<RequestFleet>
{
    private IngotClient Admin => fleet.Server.Admin;

    private static RequestCreate Ask(RequestFleet.Place p, int count, string? template = null, bool? spread = null) =>
        new(p.Role, p.Site, p.Sku, count, "debian-12", template, spread);

    [Fact]
    public async Task A_request_installs_machines_spread_over_the_racks_names_them_and_is_fulfilled()
    {
        var place = await fleet.PlaceAsync(racks: 3);
        foreach (var rack in place.Racks) { await fleet.AvailableAsync(place, rack); await fleet.AvailableAsync(place, rack); }
        var member = await Accounts.CreateAsync(fleet.Server, false, place.Team);

        var accepted = await member.Client.CreateRequestAsync(Ask(place, 3));
        Assert.Equal((RequestStatus.Installing, 3, 0, member.Name), (accepted.Status, accepted.Installing, accepted.ShortBy, accepted.User));
        var done = await fleet.WaitAsync(accepted.Id, r => r.Status == RequestStatus.Fulfilled);

        Assert.Equal(3, done.InUse);
        Assert.Equal(place.Racks, done.Machines.Select(m => m.Rack!).Order());
        Assert.All(done.Machines, m => Assert.Matches($"^{place.Role}-[a-z0-9]{{6}}\\.{place.Site}\\.{RequestFleet.Domain.Replace(".", "\\.")}$", m.Hostname));
        foreach (var line in done.Machines)
        {
            var machine = await Admin.GetMachineAsync(line.Hostname);
            Assert.Equal((MachineState.InUse, place.Role, place.Team, "debian-12", "in_use"), (machine.State, machine.Role, machine.Team, machine.Image, line.Status));
        }
        // A listing carries the counts, not the lines (a page of big requests would be huge): `show` has them.
        var listed = Assert.Single((await Admin.ListRequestsAsync(new RequestQuery(Role: place.Role))).Items, r => r.Id == done.Id);
        Assert.Equal((3, 0, 0, RequestStatus.Fulfilled), (listed.InUse, listed.Installing, listed.Machines.Count, listed.Status));
    }

    [Fact]
    public async Task The_202_says_how_long_the_decision_and_its_writes_took()
    {
        var place = await fleet.PlaceAsync(racks: 1);
        await fleet.AvailableAsync(place, "r1");
        using var http = new HttpClient { BaseAddress = fleet.Server.Url };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", fleet.Server.AdminToken);
        using var response = await http.PostAsync("api/v1/requests", new StringContent(
            System.Text.Json.JsonSerializer.Serialize(Ask(place, 1), IngotJson.Options), System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        var timing = Assert.Single(response.Headers.GetValues("Server-Timing"));
        var durations = System.Text.RegularExpressions.Regex.Matches(timing, @"(\w+);dur=([0-9.]+)")
            .ToDictionary(m => m.Groups[1].Value, m => double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(["commit", "decide", "write"], durations.Keys.Order());
        Assert.True(durations["decide"] > 0 && durations["write"] > 0, timing);
        Assert.True(durations["decide"] + durations["write"] <= durations["commit"], timing);
    }

    [Fact]
    public async Task A_machine_whose_installs_keep_failing_is_left_broken_with_its_evidence_and_replaced()
    {
        var place = await fleet.PlaceAsync(racks: 1);
        var (_, bad) = await fleet.AvailableAsync(place, "r1", new MachineFaults { InstallerFails = true, FailureMessage = "disk sda not found" });
        await fleet.AvailableAsync(place, "r1");
        await fleet.AvailableAsync(place, "r1");

        var accepted = await Admin.CreateRequestAsync(Ask(place, 2));
        Assert.Contains(bad.Id, accepted.Machines.Select(m => m.MachineId)); // lowest ids first
        // Fulfilled by the spare while the bad machine's retries still run; they end with it broken.
        var done = await fleet.WaitAsync(accepted.Id, r => r.Status == RequestStatus.Fulfilled && r.Machines.Any(m => m.Status == "failed"));

        Assert.Equal((2, 1, 3), (done.InUse, done.Replacements, done.Machines.Count));
        var failed = Assert.Single(done.Machines, m => m.Status == "failed");
        Assert.Equal(bad.Id, failed.MachineId);
        Assert.Contains("disk sda not found", failed.Reason);
        Assert.Equal(MachineState.Broken, (await Admin.GetMachineAsync(bad.HardwareName)).State);
        // Two attempts of the install (the broker's retries) before the machine was given up on.
        Assert.Equal(2, (await Admin.GetJobAsync(failed.JobId!.Value)).Attempt);
        // The failure may come after the request was fulfilled, when the request's status does not change with it: the
        // member's own event tells whoever follows the request (the portal's live page among them).
        var deadline = DateTime.UtcNow.AddSeconds(10);
        EventView? heard;
        while ((heard = (await Admin.ListEventsAsync(new EventQuery(Types: "request.member", Subject: $"request:{accepted.Id}", Limit: 100))).Items
                   .FirstOrDefault(e => e.MachineId == bad.Id && e.Data.GetProperty("status").GetString() == "failed")) is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "no request.member event for the failed machine within 10 s");
            await Task.Delay(100);
        }
        Assert.Equal(("installing", "admin"), (heard.Data.GetProperty("previous").GetString(), heard.User));
        Assert.Contains("disk sda not found", heard.Summary);
    }

    [Fact]
    public async Task Two_spares_install_beside_a_failing_install_and_what_is_too_many_goes_back()
    {
        var place = await fleet.PlaceAsync(racks: 1);
        var (flaky, first) = await fleet.AvailableAsync(place, "r1", new MachineFaults { InstallerFails = true, FailureMessage = "dhcp timeout" });
        await fleet.AvailableAsync(place, "r1");
        await fleet.AvailableAsync(place, "r1");

        var accepted = await Admin.CreateRequestAsync(Ask(place, 1));
        Assert.Equal(first.Id, Assert.Single(accepted.Machines).MachineId);
        // Its first attempt fails: two spares are taken while the broker waits to retry, not after its retries.
        var hedged = await fleet.WaitAsync(accepted.Id, r => r.Machines.Count == 3);
        Assert.Equal(2, (await Admin.GetJobAsync(accepted.Machines[0].JobId!.Value)).Attempt);
        flaky.Faults = MachineFaults.None; // its retry installs, unless it already ran (the broker's retries are quick here)

        // One machine in use. What is not needed goes back, saying so; the failing install may instead have ended failed
        // (left broken, already replaced).
        var done = await fleet.WaitAsync(accepted.Id, r => r.Status == RequestStatus.Fulfilled && r.Machines.All(m => m.Status is "in_use" or "released" or "failed"));
        Assert.Equal(1, done.InUse);
        var back = done.Machines.Where(m => m.Status == "released").ToList();
        Assert.InRange(back.Count, 1, 2);
        Assert.All(back, m => Assert.Equal("more than asked for: a spare no longer needed, or a faltering install that came good after its spares", m.Reason));
        foreach (var m in back) Assert.Equal(MachineState.Available, (await Admin.GetMachineAsync(m.HardwareName)).State);
        // Whichever came good first is kept: the failing install's retry (then both spares go back), or a spare.
        Assert.Equal(2, done.Machines.Count(m => m.Status != "in_use"));
        Assert.Equal(3, hedged.Machines.Select(m => m.MachineId).Distinct().Count());
    }

    [Fact]
    public async Task A_request_short_of_capacity_says_why_and_completes_when_machines_become_available()
    {
        var place = await fleet.PlaceAsync(racks: 1);
        await fleet.AvailableAsync(place, "r1");

        var accepted = await Admin.CreateRequestAsync(Ask(place, 2));
        Assert.Equal((1, 1), (accepted.Installing, accepted.ShortBy));
        Assert.Equal($"short by 1: 1 available machine(s) of SKU {place.Sku} in site {place.Site}", accepted.ShortReason);
        // The machine is in_use as its install job ends; the request says so at the reconciler's next pass.
        var partly = await fleet.WaitAsync(accepted.Id, r => r.Status == RequestStatus.PartiallyFulfilled);
        Assert.Equal((1, 1), (partly.InUse, partly.ShortBy));
        Assert.StartsWith("short by 1: 0 available", partly.ShortReason);

        await fleet.AvailableAsync(place, "r1");
        var done = await fleet.WaitAsync(accepted.Id, r => r.Status == RequestStatus.Fulfilled);
        Assert.Equal((2, 0, (string?)null), (done.InUse, done.ShortBy, done.ShortReason));
    }

    [Fact]
    public async Task Cancelling_a_request_mid_install_stops_the_installs_and_gives_every_machine_back()
    {
        var place = await fleet.PlaceAsync(racks: 1);
        var hangs = new MachineFaults { InstallerHangs = true };
        var (a, _) = await fleet.AvailableAsync(place, "r1", hangs);
        var (b, _) = await fleet.AvailableAsync(place, "r1", hangs);
        var accepted = await Admin.CreateRequestAsync(Ask(place, 2));
        // Both installers have started and hang: the jobs wait for a 'finished' that never comes.
        await fleet.WaitAsync(accepted.Id, _ => a.Counters.Hangs > 0 && b.Counters.Hangs > 0);
        a.Faults = b.Faults = MachineFaults.None; // the wipe that gives them back must finish

        var cancelled = await Admin.CancelRequestAsync(accepted.Id);
        Assert.Equal((RequestStatus.Cancelled, "admin"), (cancelled.Status, cancelled.CancelledBy));
        var released = await fleet.WaitAsync(accepted.Id, r => r.Machines.All(m => m.Status == "released"));
        foreach (var line in released.Machines)
        {
            var machine = await Admin.GetMachineAsync(line.HardwareName);
            Assert.Equal((MachineState.Available, (string?)null, (string?)null), (machine.State, machine.Role, machine.Hostname));
            // The line's job is now the recycle that wiped it; the install it replaced was cancelled.
            var recycle = await Admin.GetJobAsync(line.JobId!.Value);
            Assert.Equal((JobActions.Recycle, JobStatus.Succeeded), (recycle.Action, recycle.Status));
            var installs = (await Admin.ListJobsAsync(new JobQuery(Machine: line.HardwareName, Action: JobActions.Install))).Items;
            Assert.Equal(JobStatus.Cancelled, Assert.Single(installs).Status);
        }
        Assert.Equal(RequestStatus.Cancelled, released.Status);
    }

    [Fact]
    public async Task Only_the_roles_team_and_the_sites_operators_may_ask_for_its_machines_and_a_bad_request_names_each_field()
    {
        var place = await fleet.PlaceAsync(racks: 1);
        var (outsider, _, _) = await Accounts.TeamMemberAsync(fleet.Server);
        var viewer = await Accounts.WithGrantAsync(fleet.Server, "viewer");
        static async Task<Problem> RefusedAsync(Task task) => (await Assert.ThrowsAsync<IngotApiException>(() => task)).Problem;

        var refused = await RefusedAsync(outsider.Client.CreateRequestAsync(Ask(place, 1)));
        Assert.Equal(403, refused.Status);
        Assert.Contains($"needs a member of its team {place.Team} or an operator of {place.Site}", refused.Detail);
        Assert.Equal(403, (await RefusedAsync(viewer.Client.CreateRequestAsync(Ask(place, 1)))).Status);

        var bad = await RefusedAsync(Admin.CreateRequestAsync(new RequestCreate("no-such-role", place.Site, "no-such-sku", 0, null)));
        Assert.Equal(["count", "image", "role", "sku"], bad.Errors!.Keys.Order());
        var same = await RefusedAsync(Admin.CreateRequestAsync(Ask(place, 2, "{role}.{site}")));
        Assert.Contains("{random} or {n}", Assert.Single(same.Errors!["hostname_template"]));
        var wipe = await RefusedAsync(Admin.CreateRequestAsync(Ask(place, 1) with { Image = "wipe" }));
        Assert.Contains("not an install image", Assert.Single(wipe.Errors!["image"]));
        Assert.Empty((await Admin.ListRequestsAsync(new RequestQuery(Role: place.Role))).Items);
    }

    private async Task<PoolView> PoolAsync(long id, Func<PoolView, bool> until)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var pool = await Admin.GetPoolAsync(id);
        while (!until(pool))
        {
            try { await Task.Delay(100, timeout.Token); }
            catch (OperationCanceledException) { Assert.Fail($"pool {id}: {System.Text.Json.JsonSerializer.Serialize(pool, IngotJson.Options)}"); }
            pool = await Admin.GetPoolAsync(id);
        }
        return pool;
    }

    [Fact]
    public async Task A_pool_replaces_a_member_that_breaks_grows_and_shrinks_by_its_newest_member_and_gives_all_back_when_deleted()
    {
        var place = await fleet.PlaceAsync(racks: 2);
        for (var i = 0; i < 4; i++) await fleet.AvailableAsync(place, place.Racks[i % 2]);
        var member = await Accounts.CreateAsync(fleet.Server, false, place.Team);

        var created = await member.Client.CreatePoolAsync(new PoolCreate(place.Role, place.Site, place.Sku, 2, "debian-12", "{role}-{n}.{site}"));
        var steady = await PoolAsync(created.Id, p => p.Status == PoolStatus.Steady);
        Assert.Equal(2, steady.Healthy);

        // A member breaks in use: the pool leaves it for repair and installs another machine.
        var broken = steady.Machines[0];
        await Admin.TransitionAsync(broken.HardwareName, "fail", "disk died");
        var healed = await PoolAsync(created.Id, p => p.Status == PoolStatus.Steady && p.Machines.Any(m => m.Status == "failed"));
        Assert.Equal((2, 1), (healed.Healthy, healed.Replacements));
        Assert.Equal(broken.MachineId, Assert.Single(healed.Machines, m => m.Status == "failed").MachineId);
        Assert.Contains($"{place.Role}-3.{place.Site}", healed.Machines.Select(m => m.Hostname));

        // Larger, then smaller: the newest member goes, recycled back to available.
        await member.Client.ResizePoolAsync(created.Id, 3);
        var grown = await PoolAsync(created.Id, p => p.Status == PoolStatus.Steady && p.Healthy == 3);
        var newest = grown.Machines.Where(m => m.Status == "in_use").MaxBy(m => m.Hostname)!;
        await member.Client.ResizePoolAsync(created.Id, 2);
        var shrunk = await PoolAsync(created.Id, p => p.Healthy == 2 && p.Machines.Single(m => m.MachineId == newest.MachineId).Status == "released");
        Assert.Equal(PoolStatus.Steady, shrunk.Status);
        Assert.Equal(MachineState.Available, (await Admin.GetMachineAsync(newest.HardwareName)).State);

        var deleted = await member.Client.DeletePoolAsync(created.Id);
        Assert.Equal((PoolStatus.Deleted, member.Name), (deleted.Status, deleted.DeletedBy));
        var gone = await PoolAsync(created.Id, p => p.Machines.All(m => m.Status is "released" or "failed"));
        Assert.Equal(0, gone.Healthy);
        Assert.Contains(created.Id, (await Admin.ListPoolsAsync(new RequestQuery(Role: place.Role))).Items.Select(p => p.Id));
        Assert.Equal(404, (await Assert.ThrowsAsync<IngotApiException>(() => Admin.GetRequestAsync(created.Id))).Problem.Status);
    }

    [Fact]
    public async Task A_machine_given_back_outside_its_request_is_returned_not_replaced_and_the_next_request_may_take_it()
    {
        var place = await fleet.PlaceAsync(racks: 1);
        for (var i = 0; i < 3; i++) await fleet.AvailableAsync(place, "r1");
        var first = await fleet.WaitAsync((await Admin.CreateRequestAsync(Ask(place, 2))).Id, r => r.Status == RequestStatus.Fulfilled);

        // Its owner recycles one by hand: the request is done with it, and takes no third machine in its place.
        var given = first.Machines[0];
        var recycle = await Admin.SubmitJobAsync(given.HardwareName, JobActions.Recycle, force: true);
        var after = await fleet.WaitAsync(first.Id, r => r.Machines.Any(m => m.Status == "returned"));
        Assert.Equal((RequestStatus.Fulfilled, 1, 0, 2), (after.Status, after.InUse, after.ShortBy, after.Machines.Count));
        Assert.Contains("went recycling after its install", Assert.Single(after.Machines, m => m.Status == "returned").Reason);
        await fleet.WaitAsync(first.Id, _ => Admin.GetJobAsync(recycle.Id).Result.Status == JobStatus.Succeeded);

        // Available again, it belongs to nobody: the next request takes it (and the machine never used) without a clash.
        var second = await fleet.WaitAsync((await Admin.CreateRequestAsync(Ask(place, 2))).Id, r => r.Status == RequestStatus.Fulfilled);
        Assert.Contains(given.MachineId, second.Machines.Select(m => m.MachineId));
        Assert.Equal(1, (await Admin.GetRequestAsync(first.Id)).InUse);
    }

    [Fact]
    public async Task A_pool_member_reimaged_by_its_team_stays_in_the_pool()
    {
        var place = await fleet.PlaceAsync(racks: 1);
        await fleet.AvailableAsync(place, "r1");
        await fleet.AvailableAsync(place, "r1");
        var pool = await PoolAsync((await Admin.CreatePoolAsync(new PoolCreate(place.Role, place.Site, place.Sku, 1, "debian-12"))).Id,
            p => p.Status == PoolStatus.Steady);

        var member = Assert.Single(pool.Machines);
        var reimage = await Admin.SubmitJobAsync(member.Hostname, JobActions.Reimage,
            new Dictionary<string, System.Text.Json.JsonElement> { ["image"] = System.Text.Json.JsonSerializer.SerializeToElement("debian-12") }, force: true);
        await PoolAsync(pool.Id, _ => Admin.GetJobAsync(reimage.Id).Result.Status == JobStatus.Succeeded);
        await fleet.Server.Services.GetRequiredService<Ingot.Server.Capacity.RequestReconciler>().RunOnceAsync(CancellationToken.None);

        var still = await Admin.GetPoolAsync(pool.Id);
        Assert.Equal((PoolStatus.Steady, 1, 0), (still.Status, still.Healthy, still.Replacements));
        Assert.Equal(member.MachineId, Assert.Single(still.Machines).MachineId);
    }
}
