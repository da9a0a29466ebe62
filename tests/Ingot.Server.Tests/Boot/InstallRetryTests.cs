using System.Text.Json;
using Ingot.Client;
using Ingot.Server.Jobs;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Server.Tests.Jobs;

namespace Ingot.Server.Tests.Boot;

/// <summary>A server whose clock the test moves, with three attempts per job, so attempts can time out without waiting.</summary>
public abstract class ManualClockFleet(string firstAddress, int count) : SimulatedFleetServer(firstAddress, count)
{
    public ManualClock Time { get; } = new(DateTimeOffset.UtcNow.AddHours(1));

    protected override JobOptions Jobs => FastJobs with { MaxAttempts = 3 };

    protected override TimeProvider? Clock => Time;
}

/// <summary>127.0.13.x.</summary>
public sealed class ManualClockInstallFixture() : ManualClockFleet("127.0.13.1", 4);

/// <summary>Each attempt of an install whose installer never reports gets the image's whole deadline, measured from
/// that attempt's start (issue 11 A.2: attempts 2 and 3 used to fail milliseconds after starting, because the waiting
/// step measured its deadline from the first attempt's start).</summary>
public sealed class InstallRetryTests(ManualClockInstallFixture fleet) : IClassFixture<ManualClockInstallFixture>
{
    private IngotClient Admin => fleet.Server.Admin;

    [Fact]
    public async Task An_install_that_times_out_gets_three_honest_attempts_before_the_machine_is_broken()
    {
        var image = (await Admin.CreateImageAsync(new ImageCreate(Unique.Name("debian"), ImageKind.Install, "http://images.example/vmlinuz",
            "http://images.example/initrd.img", DeadlineSeconds: 60))).Name;
        var (machine, _) = await fleet.MachineAsync();
        foreach (var trigger in new[] { "commission", "allocate", "install", "finish_install" })
            await Admin.TransitionAsync(machine.HardwareName, trigger);
        // Nobody answers the machine's network boot: every attempt waits out the image's deadline.
        var job = await Admin.SubmitJobAsync(machine.HardwareName, JobActions.Reimage,
            new Dictionary<string, JsonElement> { ["image"] = JsonSerializer.SerializeToElement(image) }, force: true);

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var parked = await UntilAsync(job.Id, j => j.Attempt == attempt && WaitingStep(j) is not null, $"attempt {attempt} to wait for its installer");
            // A minute of the server's time passes with nothing reported, less a second: still waiting, whatever the attempt.
            fleet.Time.Advance(TimeSpan.FromSeconds(59));
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            var still = await Admin.GetJobAsync(job.Id);
            Assert.True(still.Attempt == attempt && WaitingStep(still) is not null,
                $"attempt {attempt} stopped waiting before its deadline: {JsonSerializer.Serialize(still, IngotJson.Options)}");
            Assert.Equal(WaitingStep(parked)!.StartedAt, WaitingStep(still)!.StartedAt);

            // Past the deadline: the attempt fails; the next one is due after the retry delay.
            fleet.Time.Advance(TimeSpan.FromSeconds(2));
            if (attempt < 3)
            {
                await UntilAsync(job.Id, j => j.Attempt == attempt + 1 && j.Status == JobStatus.Queued, $"attempt {attempt} to fail and requeue");
                fleet.Time.Advance(TimeSpan.FromSeconds(5));
            }
        }
        var ended = await UntilAsync(job.Id, j => j.Status == JobStatus.Failed, "the job to fail after its third attempt");
        Assert.Contains("attempt 3 of 3", ended.Error);
        Assert.Contains("did not report 'started' within 60 s", ended.Error);
        Assert.Equal(MachineState.Broken, (await Admin.GetMachineAsync(machine.HardwareName)).State);
        // Three deadlines on one healthy node: said as such, not as jobs taken back from a node that stopped renewing.
        Assert.Contains(fleet.Logs.Entries, e => e.Message.Contains("reached their deadline"));
        Assert.DoesNotContain(fleet.Logs.Entries, e => e.Message.Contains("stopped renewing"));
    }

    private static JobStepView? WaitingStep(JobView job) => job.Steps.FirstOrDefault(s => s.Status == StepStatus.Waiting);

    private async Task<JobView> UntilAsync(long id, Func<JobView, bool> done, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var job = await Admin.GetJobAsync(id);
            if (done(job)) return job;
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"waited 20 s for {what}: {JsonSerializer.Serialize(job, IngotJson.Options)}");
            await Task.Delay(50);
        }
    }
}
