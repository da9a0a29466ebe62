using System.Net;
using System.Net.Http.Json;
using Dapper;
using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Server.Tests.SelfService;
using Microsoft.Extensions.DependencyInjection;

namespace Ingot.Server.Tests.Inventory;

/// <summary>POST /discovery as a discovery image calls it: the first report creates the machine in state
/// new, later ones refresh its facts and add NICs, and nothing an operator decided is touched.</summary>
public sealed class DiscoveryTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;
    private IngotClient Admin => Server.Admin;

    private static DiscoveryReport Report(string serial, params string[] macs) => new(
        serial, "Dell Inc.", "PowerEdge R650", 32, "Intel Xeon Gold 6338", 256,
        [new DiskFact("nvme0n1", 1920, "NVMe"), new DiskFact("nvme1n1", 1920, "nvme")],
        macs.Select((mac, i) => new NicInput(mac, $"eno{i + 1}")).ToList(), "10.20.0.5");

    private static string Hw(string serial) => "hw-" + serial.ToLowerInvariant();

    [Fact]
    public async Task The_first_report_creates_a_new_machine_with_its_facts()
    {
        var serial = Unique.Serial();
        var mac = Unique.Mac();
        using var http = Server.Http();
        using var response = await http.PostAsJsonAsync("api/v1/discovery", Report(" " + serial.ToLowerInvariant(), mac.ToUpperInvariant()), IngotJson.Options);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/api/v1/machines/{Hw(serial)}", response.Headers.Location?.OriginalString);
        var result = (await response.Content.ReadFromJsonAsync<DiscoveryResult>(IngotJson.Options))!;
        var machine = result.Machine;
        Assert.True(result.Created);
        Assert.Equal((serial, Hw(serial), MachineState.New, "Dell Inc.", "PowerEdge R650"),
            (machine.Serial, machine.HardwareName, machine.State, machine.Vendor, machine.Model));
        Assert.Equal([new NicView(mac, "eno1", null)], machine.Nics);
        Assert.Equal(new BmcView("ipmi", "10.20.0.5", 623, null, HasPassword: false), machine.Bmc);
        Assert.Equal((32, "Intel Xeon Gold 6338", 256), (machine.Hardware!.CpuCores, machine.Hardware.CpuModel, machine.Hardware.MemoryGb));
        Assert.Equal([new DiskFact("nvme0n1", 1920, "nvme"), new DiskFact("nvme1n1", 1920, "nvme")], machine.Hardware.Disks);
        var history = await Admin.HistoryAsync(machine.HardwareName);
        Assert.Equal((null, MachineState.New, "discover", "admin"), (history.Single().From, history.Single().To, history.Single().Trigger, history.Single().Actor));
    }

    [Fact]
    public async Task A_second_report_updates_facts_and_adds_NICs_but_keeps_what_operators_decided()
    {
        var serial = Unique.Serial();
        var (mac1, mac2) = (Unique.Mac(), Unique.Mac());
        var first = await Admin.DiscoverAsync(Report(serial, mac1));
        await Admin.UpdateMachineAsync(first.Machine.HardwareName, new MachineUpdate(Bmc: new BmcInput("redfish", "10.20.9.9", 443, "root", "pw")));
        await Admin.TransitionAsync(first.Machine.HardwareName, "commission");

        var second = await Admin.DiscoverAsync(Report(serial, mac1, mac2) with { MemoryGb = 512, Model = "PowerEdge R650xs" });

        Assert.False(second.Created);
        var machine = second.Machine;
        Assert.Equal(first.Machine.Id, machine.Id);
        Assert.Equal((512, "PowerEdge R650xs"), (machine.Hardware!.MemoryGb, machine.Model));
        Assert.Equal(new[] { mac1, mac2 }.Order(), machine.Nics.Select(n => n.Mac));
        Assert.Equal(MachineState.Available, machine.State);
        Assert.Equal(new BmcView("redfish", "10.20.9.9", 443, "root", HasPassword: true), machine.Bmc);
        var history = await Admin.HistoryAsync(machine.HardwareName);
        Assert.Single(history, h => h.From is null);
        Assert.Equal(["discover", "commission"], history.Select(h => h.Trigger));
    }

    [Fact]
    public async Task The_same_report_twice_is_one_machine_and_the_second_answer_is_200()
    {
        var report = Report(Unique.Serial(), Unique.Mac(), Unique.Mac());
        using var http = Server.Http();
        using var first = await http.PostAsJsonAsync("api/v1/discovery", report, IngotJson.Options);
        using var second = await http.PostAsJsonAsync("api/v1/discovery", report, IngotJson.Options);

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK), (first.StatusCode, second.StatusCode));
        var again = (await second.Content.ReadFromJsonAsync<DiscoveryResult>(IngotJson.Options))!;
        Assert.False(again.Created);
        Assert.Equal(2, again.Machine.Nics.Count);
        Assert.Equal((1, 2, 1), await CountsAsync(report.Serial!));
    }

    [Fact]
    public async Task Identical_reports_at_once_make_exactly_one_machine()
    {
        var report = Report(Unique.Serial(), Unique.Mac(), Unique.Mac());
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Server.Client(Server.AdminToken).DiscoverAsync(report)));

        Assert.Single(results, r => r.Created);
        Assert.Single(results.Select(r => r.Machine.Id).Distinct());
        Assert.Equal((1, 2, 1), await CountsAsync(report.Serial!));
    }

    [Fact]
    public async Task A_MAC_of_another_machine_is_409_naming_both_and_changes_nothing()
    {
        var taken = Unique.Mac();
        var owner = await Admin.CreateMachineAsync(new MachineCreate(Unique.Serial(), Nics: [new NicInput(taken)]));
        var serial = Unique.Serial();

        var error = await Assert.ThrowsAsync<IngotApiException>(() => Admin.DiscoverAsync(Report(serial, Unique.Mac(), taken)));
        Assert.Equal(409, error.Status);
        Assert.Contains(owner.HardwareName, error.Problem.Detail);
        Assert.Contains(Hw(serial), error.Problem.Detail);
        Assert.Contains(taken, error.Problem.Detail);
        Assert.Equal(404, (await Assert.ThrowsAsync<IngotApiException>(() => Admin.GetMachineAsync(Hw(serial)))).Status);

        var mine = Unique.Mac();
        await Admin.DiscoverAsync(Report(serial, mine));
        error = await Assert.ThrowsAsync<IngotApiException>(() => Admin.DiscoverAsync(Report(serial, mine, taken)));
        Assert.Equal(409, error.Status);
        Assert.Equal([mine], (await Admin.GetMachineAsync(Hw(serial))).Nics.Select(n => n.Mac));
        Assert.Equal([taken], (await Admin.GetMachineAsync(owner.HardwareName)).Nics.Select(n => n.Mac));
    }

    [Fact]
    public async Task A_bad_report_is_422_naming_every_bad_field()
    {
        var report = Report(" ", Unique.Mac(), "not-a-mac") with { MemoryGb = 0, CpuCores = -1, Disks = [new DiskFact("sda", -5)], BmcAddress = "bad address!" };
        var error = await Assert.ThrowsAsync<IngotApiException>(() => Admin.DiscoverAsync(report));

        Assert.Equal(422, error.Status);
        Assert.Equal(["bmc_address", "cpu_cores", "disks[0].size_gb", "memory_gb", "nics[1].mac", "serial"], error.Problem.Errors!.Keys.Order());
        Assert.Contains("'not-a-mac' is not a MAC address", error.Problem.Errors["nics[1].mac"][0]);
    }

    [Fact]
    public async Task Any_valid_token_may_report_but_no_token_may_not()
    {
        var user = await Accounts.CreateAsync(Server);
        var result = await user.Client.DiscoverAsync(Report(Unique.Serial(), Unique.Mac()));
        Assert.True(result.Created);
        Assert.Equal(user.Name, (await Admin.HistoryAsync(result.Machine.HardwareName)).Single().Actor);

        using var anonymous = Server.Http(token: "");
        using var response = await anonymous.PostAsJsonAsync("api/v1/discovery", Report(Unique.Serial()), IngotJson.Options);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    /// <summary>Machines with the serial, their NICs and their creation rows, straight from the database.</summary>
    private async Task<(int Machines, int Nics, int Created)> CountsAsync(string serial)
    {
        var db = Server.Services.GetRequiredService<Database>();
        await using var c = await db.OpenAsync();
        var args = new { serial };
        return (
            await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM machines WHERE serial = @serial", args),
            await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM nics n JOIN machines m ON m.id = n.machine_id WHERE m.serial = @serial", args),
            await c.ExecuteScalarAsync<int>(
                "SELECT COUNT(*) FROM state_history h JOIN machines m ON m.id = h.machine_id WHERE m.serial = @serial AND h.from_state IS NULL", args));
    }
}
