using Ingot.Bmc;
using Ingot.Simulator.Machines;

namespace Ingot.Simulator.Tests.Machines;

/// <summary>One machine against the stand-in boot service: each intent of docs/boot.md, the faults, refusals.</summary>
public sealed partial class NetworkBootTests
{
    [Fact]
    public async Task Wipe_PostsStartedProgressFinished_WithTheWipeToken()
    {
        await using var bench = await MachineBench.StartAsync();
        bench.Server.PlanFor(bench.Mac, new("wipe", Job: 9));

        Assert.Equal(BootOutcome.Wiped, await bench.BootAsync(BootDevice.Pxe));

        var events = bench.Server.Events.ToList();
        Assert.Equal(["started", "progress", "progress", "finished"], events.Select(e => e.Event.Event));
        Assert.All(events, e => Assert.Equal(9, e.Job));
        Assert.All(events, e => Assert.Equal(bench.Server.TokenOf(bench.Mac), e.Token));
        Assert.Equal(["erasing disks", "verifying"], events.Where(e => e.Event.Event == "progress").Select(e => e.Event.Step));
        Assert.Equal(1, bench.Machine.Counters.Wipes);
        Assert.Contains(bench.Machine.Log.Entries, e => e.Text.Contains("reboots to disk"));
    }

    [Fact]
    public async Task UnknownMac_PostsItsHardwareReport_WithTheDiscoveryToken()
    {
        await using var bench = await MachineBench.StartAsync();

        Assert.Equal(BootOutcome.Discovered, await bench.BootAsync(BootDevice.Pxe));

        var posted = Assert.Single(bench.Server.Reports);
        Assert.Equal(bench.Mac, posted.Mac);
        Assert.Equal(bench.Server.TokenOf(bench.Mac), posted.Token);
        var identity = bench.Machine.Identity;
        Assert.Equal(identity.Serial, posted.Report.Serial);
        Assert.Equal(identity.Macs, posted.Report.Nics!.Select(n => n.Mac));
        Assert.Equal(identity.MemoryGb, posted.Report.MemoryGb);
        Assert.Equal("127.0.8.200", posted.Report.BmcAddress);
        Assert.Empty(bench.Server.Events);
        Assert.Equal(1, bench.Machine.Counters.Discoveries);
    }

    [Theory]
    [InlineData(Firmware.Efi, "efi")]
    [InlineData(Firmware.Pcbios, "pcbios")]
    public async Task Local_BootsTheDisk_AndPostsNothing(Firmware firmware, string platform)
    {
        await using var bench = await MachineBench.StartAsync(firmware);
        bench.Server.PlanFor(bench.Mac, new("local"));

        Assert.Equal(BootOutcome.Local, await bench.BootAsync(BootDevice.Pxe));

        var request = Assert.Single(bench.Server.Requests);
        Assert.Equal("/boot/ipxe", request.Path);
        Assert.Contains($"platform={platform}", request.Query);
        Assert.Contains($"serial={bench.Machine.Identity.Serial}", request.Query);
        Assert.Contains("arch=x86_64", request.Query);
        Assert.Empty(bench.Server.Events);
        Assert.Empty(bench.Server.Reports);
    }

    [Theory]
    [InlineData(BootDevice.Disk)]
    [InlineData(BootDevice.None)]
    public async Task NextBootNotPxe_FetchesNothing(BootDevice device)
    {
        await using var bench = await MachineBench.StartAsync();

        Assert.Equal(BootOutcome.NotNetwork, await bench.BootAsync(device));

        Assert.Empty(bench.Server.Requests);
        Assert.Equal(1, bench.Machine.Counters.Boots);
        Assert.Equal(0, bench.Machine.Counters.NetworkBoots);
    }

    [Fact]
    public async Task FailingInstaller_PostsFailed_WithAMessageAndLog()
    {
        await using var bench = await MachineBench.StartAsync();
        bench.Server.PlanFor(bench.Mac, new("install", "ubuntu-24.04", 3));
        bench.Machine.Faults = new MachineFaults { InstallerFails = true, FailureMessage = "disk sda not found" };

        Assert.Equal(BootOutcome.InstallFailed, await bench.BootAsync(BootDevice.Pxe));

        var events = bench.Server.Events.Select(e => e.Event).ToList();
        Assert.Equal("started", events[0].Event);
        var failed = events[^1];
        Assert.Equal("failed", failed.Event);
        Assert.Equal("disk sda not found", failed.Message);
        Assert.False(string.IsNullOrEmpty(failed.Log));
        Assert.DoesNotContain(events, e => e.Event == "finished");
        Assert.Equal(1, bench.Machine.Counters.InstallsFailed);
    }

    [Fact]
    public async Task HangingInstaller_PostsOnlyStarted()
    {
        await using var bench = await MachineBench.StartAsync();
        bench.Server.PlanFor(bench.Mac, new("install", "ubuntu-24.04", 4));
        bench.Machine.Faults = new MachineFaults { InstallerHangs = true };

        Assert.Equal(BootOutcome.Hung, await bench.BootAsync(BootDevice.Pxe));
        await Task.Delay(MachineBench.Fast.Install * 2); // long past when 'finished' would have come

        Assert.Equal(["started"], bench.Server.Events.Select(e => e.Event.Event));
        Assert.Equal(1, bench.Machine.Counters.Hangs);
    }

    [Fact]
    public async Task EventsRefusedWith403_AreRecorded_AndTheMachineBootsAgainLater()
    {
        await using var bench = await MachineBench.StartAsync();
        bench.Server.PlanFor(bench.Mac, new("install", "ubuntu-24.04", 5));
        bench.Server.RefuseEvents = true;

        Assert.Equal(BootOutcome.GaveUp, await bench.BootAsync(BootDevice.Pxe));

        // A 403 is final: asked once, not retried.
        Assert.Single(bench.Server.Requests, r => r.Path == "/boot/events");
        Assert.Contains(bench.Machine.Log.Entries, e => e.Text.Contains("403"));
        Assert.Equal(1, bench.Machine.Counters.GaveUp);

        bench.Server.RefuseEvents = false;
        Assert.Equal(BootOutcome.Installed, await bench.BootAsync(BootDevice.Pxe, PowerAction.Cycle));
    }

    [Fact]
    public async Task ServerUnavailable_IsRetried_ThenTheBootGoesOn()
    {
        await using var bench = await MachineBench.StartAsync();
        bench.Server.PlanFor(bench.Mac, new("local"));
        bench.Server.UnavailableScripts = 2;

        Assert.Equal(BootOutcome.Local, await bench.BootAsync(BootDevice.Pxe));

        Assert.Equal(3, bench.Server.Requests.Count(r => r.Path == "/boot/ipxe"));
    }

    /// <summary>docs/boot.md: a callback is retried with a doubling, capped backoff for the retry window, then given up.</summary>
    [Fact]
    public async Task ServerAway_IsRetriedWithACappedDoublingBackoff_ForTheRetryWindow_ThenGivenUp_WithoutCrashing()
    {
        // A window long enough for the doubling to reach its cap even when a loaded machine answers slowly.
        var timings = MachineBench.Fast with { RetryWindow = TimeSpan.FromSeconds(2) };
        await using var bench = await MachineBench.StartAsync(timings: timings);
        bench.Server.UnavailableScripts = int.MaxValue;

        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(BootOutcome.GaveUp, await bench.BootAsync(BootDevice.Pxe));

        Assert.InRange(clock.Elapsed, timings.RetryWindow, timings.RetryWindow + TimeSpan.FromSeconds(5));
        int[] waits = [.. bench.Machine.Log.Entries.Select(e => WaitPattern().Match(e.Text)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value))];
        Assert.True(waits.Length >= 5, string.Join(", ", waits));
        Assert.Equal([10, 20, 40, 80], waits[..4]); // doubling, then capped ...
        // ... until the end of the window, where each wait is cut to what is left of it: on a loaded machine a slow
        // answer can leave a sliver after a cut wait, so the tail may hold more than one cut (shrinking) wait.
        var capped = waits[4..].TakeWhile(w => w == 80).Count();
        var cut = waits[(4 + capped)..];
        Assert.All(cut, w => Assert.InRange(w, 0, 79));
        Assert.True(cut.Zip(cut.Skip(1)).All(p => p.Second <= p.First), string.Join(", ", waits));
        Assert.True(capped >= 1, string.Join(", ", waits));
        Assert.Equal(waits.Length + 1, bench.Server.Requests.Count);
        Assert.Contains(bench.Machine.Log.Entries, e => e.Text.Contains("gave up"));
    }

    /// <summary>Issue 11 A.8: the only server restarting in the middle of an install (503s, as a proxy in front of it
    /// answers) must not lose the installer's callbacks.</summary>
    [Fact]
    public async Task CallbacksToAServerThatIsAway_AreRetried_AndAllLandOnceItIsBack()
    {
        await using var bench = await MachineBench.StartAsync();
        bench.Server.PlanFor(bench.Mac, new("install", "ubuntu-24.04", 7));
        bench.Server.UnavailableEvents = 5; // more than the four tries a callback had before

        Assert.Equal(BootOutcome.Installed, await bench.BootAsync(BootDevice.Pxe));

        Assert.Equal(["started", "progress", "progress", "progress", "progress", "finished"], bench.Server.Events.Select(e => e.Event.Event));
        Assert.Equal(5, bench.Machine.Log.Entries.Count(e => e.Text.Contains("HTTP 503") && e.Text.Contains("trying again")));
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"trying again in (\d+) ms")]
    private static partial System.Text.RegularExpressions.Regex WaitPattern();

    [Fact]
    public async Task PowerOff_InterruptsAnInstall()
    {
        // An install long enough that the power surely goes off in the middle of it.
        await using var bench = await MachineBench.StartAsync(timings: MachineBench.Fast with { Install = TimeSpan.FromMinutes(5) });
        bench.Server.PlanFor(bench.Mac, new("install", "ubuntu-24.04", 6));
        bench.Bmc.SetBoot(new BootSettings(BootDevice.Pxe));

        var outcome = await MachineBench.EndOfBootAsync(bench.Machine, async () =>
        {
            bench.Bmc.Apply(PowerAction.On);
            while (!bench.Server.Events.Any()) await Task.Delay(1); // the installer has started
            bench.Bmc.Apply(PowerAction.Off);
        });

        Assert.Equal(BootOutcome.Interrupted, outcome);
        Assert.DoesNotContain(bench.Server.Events, e => e.Event.Event == "finished");
    }
}
