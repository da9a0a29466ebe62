using System.Net;
using Ingot.Client;
using Ingot.Server.Boot;
using Ingot.Server.Jobs;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.Boot;

/// <summary>The fleet's discovery BMC credentials go only to BMCs inside INGOT_DISCOVERY_BMC_NETWORKS (issue 11 B.2): a
/// report is anyone's word, and a made-up one naming an address its author owns would otherwise be handed the password
/// at the first commission.</summary>
public sealed class DiscoveryNetworkTests : IAsyncLifetime
{
    private TestServer server = null!;
    private readonly LogCapture logs = new();

    public async Task InitializeAsync() =>
        // Workers off: the commission job is the evidence, not its run (nothing answers at 127.0.77.1).
        server = await TestServer.StartAsync(jobs: new JobOptions { RunWorkers = false },
            discovery: new DiscoveryCredentials("admin", "password", [IPNetwork.Parse("127.0.77.0/24"), IPNetwork.Parse("fd00:77::/64")]), logs: logs);

    public async Task DisposeAsync() => await server.DisposeAsync();

    private Task<DiscoveryResult> ReportAsync(string bmcAddress) => DiscoveryImage.ReportAsync(server,
        new DiscoveryReport(Unique.Serial(), "Dell Inc.", "R650", 8, null, 64, null, [new NicInput(Unique.Mac(), "eno1")], bmcAddress));

    private async Task<int> CommissionsAsync(MachineView machine) =>
        (await server.Admin.ListJobsAsync(new JobQuery(Machine: machine.HardwareName))).Items.Count(j => j.Action == JobActions.Commission);

    [Theory]
    [InlineData("127.0.77.5")]
    [InlineData("fd00:77::5")]
    public async Task A_BMC_inside_the_networks_gets_the_credentials_and_a_commission(string address)
    {
        var machine = (await ReportAsync(address)).Machine;
        Assert.Equal(new BmcView("ipmi", address, 623, "admin", HasPassword: true), machine.Bmc);
        Assert.Equal(1, await CommissionsAsync(machine));
    }

    [Theory]
    [InlineData("192.0.2.7")]
    [InlineData("127.0.78.5")]
    [InlineData("bmc.attacker.example")]
    public async Task A_BMC_outside_them_gets_no_credentials_no_job_and_a_warning(string address)
    {
        var machine = (await ReportAsync(address)).Machine;
        Assert.Equal(new BmcView("ipmi", address, 623, null, HasPassword: false), machine.Bmc);
        Assert.Equal(MachineState.New, machine.State);
        Assert.Equal(0, await CommissionsAsync(machine));
        Assert.Contains(logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning
                                           && e.Message.Contains($"serial {machine.Serial} reports BMC address {address}, which is outside INGOT_DISCOVERY_BMC_NETWORKS"));
    }
}
