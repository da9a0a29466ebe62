using System.Net;
using System.Net.Http.Json;
using Dapper;
using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Server.Tests.SelfService;
using Microsoft.Extensions.DependencyInjection;

namespace Ingot.Server.Tests.Inventory;

/// <summary>A discovery image's report through the one discovery door (POST /boot/discovery, with the boot token its
/// script carried): the first report creates the machine in state new, later ones refresh its facts and add NICs, and
/// nothing an operator decided is touched.</summary>
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
        var token = (await DiscoveryImage.BootAsync(Server, mac))[0];
        using var response = await DiscoveryImage.PostAsync(Server, Report(" " + serial.ToLowerInvariant(), mac.ToUpperInvariant()), token);

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
        Assert.Equal((null, MachineState.New, "discover", $"discovery ({mac})"), (history.Single().From, history.Single().To, history.Single().Trigger, history.Single().Actor));
    }

    [Fact]
    public async Task A_report_from_an_unknown_NIC_naming_a_known_machines_serial_is_409_changes_nothing_and_is_audited()
    {
        var serial = Unique.Serial();
        var (mac1, intruder) = (Unique.Mac(), Unique.Mac());
        var first = await DiscoveryImage.ReportAsync(Server, Report(serial, mac1));
        await Admin.UpdateMachineAsync(first.Machine.HardwareName, new MachineUpdate(Bmc: new BmcInput("redfish", "10.20.9.9", 443, "root", "pw")));
        await Admin.TransitionAsync(first.Machine.HardwareName, "commission");

        // Anyone who boots a made-up MAC gets a discovery token; with it, a report naming this serial and its real MAC.
        var error = await Assert.ThrowsAsync<IngotApiException>(() =>
            DiscoveryImage.ReportAsync(Server, Report(serial, intruder, mac1) with { MemoryGb = 1, Vendor = "Evil", BmcAddress = "10.66.6.6" }));

        Assert.Equal(409, error.Status);
        Assert.Contains($"is machine {first.Machine.HardwareName} (available, NICs {mac1}), which did not boot from {intruder}", error.Problem.Detail);
        Assert.Contains($"PATCH /api/v1/machines/{first.Machine.HardwareName}", error.Problem.Detail);
        var machine = await Admin.GetMachineAsync(first.Machine.HardwareName);
        Assert.Equal(("Dell Inc.", 256), (machine.Vendor, machine.Hardware!.MemoryGb));
        Assert.Equal([mac1], machine.Nics.Select(n => n.Mac));
        Assert.Equal(new BmcView("redfish", "10.20.9.9", 443, "root", HasPassword: true), machine.Bmc);

        // Both reports are in the audit log under the MAC that booted, the refused one as rejected.
        var audit = (await Admin.ListAuditAsync(limit: 1000)).Items.Where(a => a.Target == serial).ToList();
        Assert.Contains(audit, a => (a.Actor, a.Action, a.Status, a.Outcome) == ($"discovery ({mac1})", "POST /boot/discovery", 201, "succeeded"));
        Assert.Contains(audit, a => (a.Actor, a.Action, a.Status, a.Outcome) == ($"discovery ({intruder})", "POST /boot/discovery", 409, "rejected"));
    }

    [Fact]
    public async Task A_machine_registered_by_serial_alone_is_filled_in_by_its_first_boot_and_then_keeps_what_operators_decided()
    {
        var serial = Unique.Serial();
        var registered = await Admin.CreateMachineAsync(new MachineCreate(serial));
        var (mac1, mac2) = (Unique.Mac(), Unique.Mac());

        var first = await DiscoveryImage.ReportAsync(Server, Report(serial, mac1));
        Assert.False(first.Created);
        Assert.Equal((registered.Id, "Dell Inc."), (first.Machine.Id, first.Machine.Vendor));
        Assert.Equal([mac1], first.Machine.Nics.Select(n => n.Mac));
        await Admin.UpdateMachineAsync(first.Machine.HardwareName, new MachineUpdate(Bmc: new BmcInput("redfish", "10.20.9.9", 443, "root", "pw")));

        // The same machine's image reporting again (its token's MAC is now one of its NICs) refreshes facts and adds
        // NICs, and leaves the operator's BMC alone.
        var tokens = await DiscoveryImage.BootAsync(Server, mac2);
        await Admin.UpdateMachineAsync(first.Machine.HardwareName, new MachineUpdate(Nics: [new NicInput(mac1, "eno1"), new NicInput(mac2, "eno2")]));
        using var again = await DiscoveryImage.PostAsync(Server, Report(serial, mac1, mac2) with { MemoryGb = 512 }, tokens[0]);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var machine = await Admin.GetMachineAsync(first.Machine.HardwareName);
        Assert.Equal(512, machine.Hardware!.MemoryGb);
        Assert.Equal(new BmcView("redfish", "10.20.9.9", 443, "root", HasPassword: true), machine.Bmc);
    }

    [Fact]
    public async Task The_same_report_twice_is_one_machine_and_the_second_answer_is_200()
    {
        var report = Report(Unique.Serial(), Unique.Mac(), Unique.Mac());
        // Two boots of the still unknown machine, two tokens: the image reports twice (a retry after a lost answer).
        var tokens = await DiscoveryImage.BootAsync(Server, report.Nics![0].Mac!, count: 2);
        using var first = await DiscoveryImage.PostAsync(Server, report, tokens[0]);
        using var second = await DiscoveryImage.PostAsync(Server, report, tokens[1]);

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
        var tokens = await DiscoveryImage.BootAsync(Server, report.Nics![0].Mac!, count: 8);
        var results = await Task.WhenAll(tokens.Select(async token =>
        {
            using var response = await DiscoveryImage.PostAsync(Server, report, token);
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync<DiscoveryResult>(IngotJson.Options))!;
        }));

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

        var error = await Assert.ThrowsAsync<IngotApiException>(() => DiscoveryImage.ReportAsync(Server, Report(serial, Unique.Mac(), taken)));
        Assert.Equal(409, error.Status);
        Assert.Contains(owner.HardwareName, error.Problem.Detail);
        Assert.Contains(Hw(serial), error.Problem.Detail);
        Assert.Contains(taken, error.Problem.Detail);
        Assert.Equal(404, (await Assert.ThrowsAsync<IngotApiException>(() => Admin.GetMachineAsync(Hw(serial)))).Status);

        var mine = Unique.Mac();
        await DiscoveryImage.ReportAsync(Server, Report(serial, mine));
        // Booted from a third, new NIC (a known MAC boots its disk, so only a new one carries a discovery token).
        error = await Assert.ThrowsAsync<IngotApiException>(() => DiscoveryImage.ReportAsync(Server, Report(serial, mine, taken, Unique.Mac())));
        Assert.Equal(409, error.Status);
        Assert.Equal([mine], (await Admin.GetMachineAsync(Hw(serial))).Nics.Select(n => n.Mac));
        Assert.Equal([taken], (await Admin.GetMachineAsync(owner.HardwareName)).Nics.Select(n => n.Mac));
    }

    [Fact]
    public async Task A_bad_report_is_422_naming_every_bad_field()
    {
        var report = Report(" ", Unique.Mac(), "not-a-mac") with { MemoryGb = 0, CpuCores = -1, Disks = [new DiskFact("sda", -5)], BmcAddress = "bad address!" };
        var error = await Assert.ThrowsAsync<IngotApiException>(() => DiscoveryImage.ReportAsync(Server, report));

        Assert.Equal(422, error.Status);
        Assert.Equal(["bmc_address", "cpu_cores", "disks[0].size_gb", "memory_gb", "nics[1].mac", "serial"], error.Problem.Errors!.Keys.Order());
        Assert.Contains("'not-a-mac' is not a MAC address", error.Problem.Errors["nics[1].mac"][0]);
    }

    [Fact]
    public async Task Only_a_discovery_boot_token_for_a_reported_MAC_may_report_and_the_API_door_is_gone()
    {
        var report = Report(Unique.Serial(), Unique.Mac());
        var user = await Accounts.CreateAsync(Server);
        using (var apiToken = await DiscoveryImage.PostAsync(Server, report, user.Token))
            Assert.Equal(HttpStatusCode.Forbidden, apiToken.StatusCode);
        using (var none = await DiscoveryImage.PostAsync(Server, report, null))
            Assert.Equal(HttpStatusCode.Forbidden, none.StatusCode);
        var otherMac = (await DiscoveryImage.BootAsync(Server, Unique.Mac()))[0];
        using (var wrongMac = await DiscoveryImage.PostAsync(Server, report, otherMac))
            Assert.Equal(HttpStatusCode.Forbidden, wrongMac.StatusCode);
        Assert.Equal((0, 0, 0), await CountsAsync(report.Serial!));

        // The second door (any API token) is closed, and says where to go.
        using var http = Server.Http();
        using var gone = await http.PostAsJsonAsync("api/v1/discovery", report, IngotJson.Options);
        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        var problem = (await gone.Content.ReadFromJsonAsync<Problem>(IngotJson.Options))!;
        Assert.Contains("/boot/discovery", problem.Detail);
        Assert.Equal((0, 0, 0), await CountsAsync(report.Serial!));
    }

    /// <summary>Machines with the serial, their NICs and their creation rows, straight from the database.</summary>
    private async Task<(int Machines, int Nics, int Created)> CountsAsync(string serial)
    {
        var db = Server.Services.GetRequiredService<Database>();
        await using var c = await db.OpenAsync(CancellationToken.None);
        var args = new { serial };
        return (
            await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM machines WHERE serial = @serial", args),
            await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM nics n JOIN machines m ON m.id = n.machine_id WHERE m.serial = @serial", args),
            await c.ExecuteScalarAsync<int>(
                "SELECT COUNT(*) FROM state_history h JOIN machines m ON m.id = h.machine_id WHERE m.serial = @serial AND h.from_state IS NULL", args));
    }
}
