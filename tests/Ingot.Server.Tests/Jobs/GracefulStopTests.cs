using System.Net;
using Ingot.Bmc;
using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Simulator;
using Ingot.Simulator.Ipmi;
using Microsoft.Extensions.Logging;

namespace Ingot.Server.Tests.Jobs;

/// <summary>A clean stop (SIGTERM) of a node in the middle of many jobs: every job it ran goes back to the queue at once,
/// for another node (or this one, restarted) to resume, rather than waiting for its lease to lapse.</summary>
public sealed class GracefulStopTests : IAsyncLifetime
{
    private const int Jobs = 60;
    private SimulatorFleet fleet = null!;

    public async Task InitializeAsync() => fleet = await IpmiFleet.StartAsync(new SimulatorOptions
    {
        Count = Jobs, IpmiBase = IPAddress.Parse("127.0.21.1"), IpmiPort = 0, PortPerBmc = true, InitialPower = PowerState.On,
        // Slow BMCs that take power commands and do nothing: every job sits in its power_off step, polling, and some are in
        // the middle of an IPMI exchange when the stop comes.
        FaultsFor = _ => new BmcFaults { IgnorePowerCommands = true },
    });

    public async Task DisposeAsync() => await fleet.DisposeAsync();

    private sealed class LeaseRow
    {
        public string Status { get; init; } = "";
        public string? LeaseOwner { get; init; }
        public DateTimeOffset? LeaseExpires { get; init; }
    }

    /// <summary>Issue 11 A.7: one graceful stop of four crashed in the workers' clean-up (a run that ended during it had
    /// disposed what the clean-up then cancelled), and its 23 jobs waited for their leases instead of being handed back.</summary>
    [Fact]
    public async Task AStopInTheMiddleOfManyJobs_HandsEveryOneBackAtOnce_EveryTime()
    {
        for (var round = 1; round <= 8; round++)
        {
            var logs = new LogCapture();
            // A lease of ten minutes: a job left holding it would visibly not be back in the queue.
            var server = await TestServer.StartAsync(jobs: SimulatedFleetServer.FastJobs with
            {
                Lease = TimeSpan.FromMinutes(10), PowerDeadline = TimeSpan.FromMinutes(5), PowerPolls = [TimeSpan.FromMilliseconds(50)],
            }, ipmi: SimulatedFleetServer.FastIpmi, logs: logs);
            try
            {
                var jobs = new List<long>();
                for (var i = 0; i < Jobs; i++)
                {
                    var ep = fleet.IpmiEndpoints[i];
                    var machine = await server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial(), Bmc: new BmcInput("sim", ep.Address.ToString(), ep.Port, "admin", "password")));
                    jobs.Add((await server.Admin.SubmitJobAsync(machine.HardwareName, JobActions.PowerOff)).Id);
                }
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                while ((await server.Admin.ListJobsAsync(new JobQuery(Status: "running", Limit: 100), timeout.Token)).Items
                       .Count(j => j.Steps.Any(s => s is { Name: "power_off", Status: StepStatus.Running })) < Jobs)
                    await Task.Delay(50, timeout.Token);

                await server.StopAsync();

                await using var db = Database.Open(server.Database, server.DataDirectory);
                await using var c = await db.OpenAsync(CancellationToken.None);
                var rows = (await c.QueryAsync<LeaseRow>($"SELECT status, lease_owner, lease_expires FROM jobs WHERE {Sql.AnyOf(c, "id", "ids")}",
                    new { ids = Sql.List(jobs) })).ToList();
                Assert.Equal(Jobs, rows.Count);
                Assert.All(rows, r => Assert.True(r is { Status: "queued", LeaseOwner: null, LeaseExpires: null },
                    $"round {round}: a job was left {r.Status}, lease {r.LeaseOwner} until {r.LeaseExpires}"));
                // Nor did any run crash on the way out (closing its BMC session on a transport the host had disposed).
                Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Warning && e.Category.EndsWith("JobWorkers", StringComparison.Ordinal));
            }
            finally
            {
                await server.DisposeAsync();
            }
        }
    }
}
