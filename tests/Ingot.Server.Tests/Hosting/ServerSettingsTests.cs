using Ingot.Client;
using Ingot.Server.Hosting;
using Ingot.Server.Jobs;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.Hosting;

/// <summary>Settings made in code go through the same rules as flags and variables, and the server's clock is the one it
/// is given.</summary>
public sealed class ServerSettingsTests
{
    [Fact]
    public async Task A_bad_setting_in_code_stops_the_server_before_it_starts_naming_the_setting()
    {
        var error = await Assert.ThrowsAsync<ServerOptionsException>(() =>
            TestServer.StartAsync(jobs: new JobOptions { RunWorkers = false, Workers = 0, MaxAttempts = 500 }));
        Assert.Contains("jobs.workers (INGOT_JOBS_WORKERS)='0' is not a whole number from 1 to 100000.", error.Errors);
        Assert.Contains("jobs.max_attempts (INGOT_JOBS_MAX_ATTEMPTS)='500' is not a whole number from 1 to 100.", error.Errors);
    }

    [Fact]
    public async Task The_whole_server_reads_time_from_the_clock_it_is_given()
    {
        var clock = new ManualClock(new DateTimeOffset(2031, 5, 6, 7, 8, 9, TimeSpan.Zero));
        await using var server = await TestServer.StartAsync(clock: clock);
        var machine = await server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial(), Bmc: new BmcInput("ipmi", "127.0.9.9", 623, "admin", "password")));
        Assert.Equal(clock.GetUtcNow(), machine.CreatedAt);
        clock.Advance(TimeSpan.FromDays(3));
        var job = await server.Admin.SubmitJobAsync(machine.HardwareName, JobActions.PowerOn);
        Assert.Equal(clock.GetUtcNow(), job.CreatedAt);
    }
}
