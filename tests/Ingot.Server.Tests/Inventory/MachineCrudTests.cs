using System.Net;
using System.Net.Http.Json;
using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.Inventory;

public sealed class MachineCrudTests(MachineFixture fixture) : IClassFixture<MachineFixture>
{
    private IngotClient Admin => fixture.Admin;

    [Fact]
    public async Task Create_normalises_and_returns_the_machine_without_its_BMC_password()
    {
        var request = fixture.Full(hostname: $"DB-{Guid.NewGuid():N}.Lon1.Example.com".Substring(0, 30));
        var machine = await Admin.CreateMachineAsync(request);

        Assert.Equal(MachineState.New, machine.State);
        Assert.Equal(request.Serial, machine.Serial);
        Assert.Equal("hw-" + request.Serial!.ToLowerInvariant(), machine.HardwareName);
        Assert.Equal(request.Hostname!.ToLowerInvariant(), machine.Hostname);
        Assert.Equal((fixture.Site, "r01", 7, fixture.Sku, fixture.Role, fixture.Team),
            (machine.Site, machine.Rack, machine.Unit, machine.Sku, machine.Role, machine.Team));
        Assert.Contains(machine.Nics, n => n.Mac == request.Nics![0].Mac!.ToLowerInvariant().Replace('-', ':') && n.Ip == "10.1.2.3");
        Assert.Equal(["gpu", "rack-top"], machine.Tags);
        Assert.Equal(new BmcView("ipmi", "10.9.0.7", 623, "root", HasPassword: true), machine.Bmc);

        using var http = fixture.Server.Http();
        var raw = await http.GetStringAsync($"api/v1/machines/{machine.HardwareName}");
        Assert.DoesNotContain("s3cret-pw", raw);
        Assert.DoesNotContain("\"password\"", raw);
    }

    [Fact]
    public async Task The_BMC_password_is_stored_encrypted()
    {
        var machine = await Admin.CreateMachineAsync(fixture.Full());
        var db = (Ingot.Server.Data.Database)fixture.Server.Services.GetService(typeof(Ingot.Server.Data.Database))!;
        await using var c = await db.OpenAsync(CancellationToken.None);
        await using var command = c.Connection.CreateCommand();
        command.CommandText = $"SELECT bmc_password FROM machines WHERE id = {machine.Id}";
        var stored = (byte[])(await command.ExecuteScalarAsync(CancellationToken.None))!;
        Assert.DoesNotContain("s3cret-pw", System.Text.Encoding.UTF8.GetString(stored));
        var box = (Ingot.Server.Data.SecretBox)fixture.Server.Services.GetService(typeof(Ingot.Server.Data.SecretBox))!;
        Assert.Equal("s3cret-pw", box.Open(stored));
    }

    [Fact]
    public async Task A_machine_is_found_by_id_hardware_name_and_hostname()
    {
        var hostname = Unique.Name("web") + ".example.com";
        var machine = await Admin.CreateMachineAsync(fixture.Full(hostname));
        foreach (var key in new[] { machine.Id.ToString(), machine.HardwareName, hostname, hostname.ToUpperInvariant() })
            Assert.Equal(machine.Id, (await Admin.GetMachineAsync(key)).Id);
    }

    [Fact]
    public async Task Duplicate_serial_MAC_or_hostname_is_409_saying_which()
    {
        var hostname = Unique.Name("dup") + ".example.com";
        var first = await Admin.CreateMachineAsync(fixture.Full(hostname));

        var serial = await Assert.ThrowsAsync<IngotApiException>(() => Admin.CreateMachineAsync(new MachineCreate(first.Serial.ToLowerInvariant())));
        Assert.Equal(409, serial.Status);
        Assert.Contains("serial", serial.Problem.Detail);

        var mac = await Assert.ThrowsAsync<IngotApiException>(() => Admin.CreateMachineAsync(
            new MachineCreate(Unique.Serial(), Nics: [new NicInput(first.Nics[0].Mac)])));
        Assert.Equal(409, mac.Status);
        Assert.Contains(first.Nics[0].Mac, mac.Problem.Detail);

        var host = await Assert.ThrowsAsync<IngotApiException>(() => Admin.CreateMachineAsync(
            new MachineCreate(Unique.Serial(), Hostname: hostname, Role: fixture.Role)));
        Assert.Equal(409, host.Status);
        Assert.Contains("Hostname", host.Problem.Detail);
    }

    [Fact]
    public async Task Every_invalid_field_is_reported_at_once()
    {
        var error = await Assert.ThrowsAsync<IngotApiException>(() => Admin.CreateMachineAsync(new MachineCreate(
            Serial: " ", Site: "atlantis", Rack: "r01", Unit: 0, Sku: "nope", Hostname: "bad_host!", Role: null,
            Nics: [new NicInput("zz:zz"), new NicInput("52:54:00:00:00:01"), new NicInput("52-54-00-00-00-01")],
            Bmc: new BmcInput("telnet", null, 70000), Tags: ["Bad Tag"])));
        Assert.Equal(422, error.Status);
        var fields = error.Problem.Errors!.Keys.ToHashSet();
        Assert.Superset(new HashSet<string> { "serial", "site", "unit", "sku", "hostname", "nics[0].mac", "nics[2].mac",
            "bmc.driver", "bmc.address", "bmc.port", "tags[0]" }, fields);
        Assert.Contains(error.Problem.Errors!["hostname"], m => m.Contains("role"));
    }

    [Fact]
    public async Task Patch_changes_given_fields_keeps_the_rest_and_releasing_the_role_releases_the_hostname()
    {
        var hostname = Unique.Name("app") + ".example.com";
        var machine = await Admin.CreateMachineAsync(fixture.Full(hostname));

        var moved = await Admin.UpdateMachineAsync(machine.HardwareName, new MachineUpdate(Rack: "r02", Unit: 12, Tags: ["moved"],
            Bmc: new BmcInput("redfish", "10.9.0.8")));
        Assert.Equal(("r02", 12, fixture.Sku, hostname), (moved.Rack, moved.Unit, moved.Sku, moved.Hostname));
        Assert.Equal(["moved"], moved.Tags);
        Assert.Equal(new BmcView("redfish", "10.9.0.8", 443, null, HasPassword: true), moved.Bmc);

        var released = await Admin.UpdateMachineAsync(machine.HardwareName, new MachineUpdate(Role: ""));
        Assert.Null(released.Role);
        Assert.Null(released.Hostname);

        var refused = await Assert.ThrowsAsync<IngotApiException>(() =>
            Admin.UpdateMachineAsync(machine.HardwareName, new MachineUpdate(Hostname: hostname)));
        Assert.Equal(422, refused.Status);

        var otherSite = await Admin.UpdateMachineAsync(machine.HardwareName, new MachineUpdate(Site: fixture.Site2));
        Assert.Equal((fixture.Site2, (string?)null), (otherSite.Site, otherSite.Rack));
    }

    [Fact]
    public async Task Delete_is_refused_for_a_machine_in_service_and_allowed_once_decommissioned()
    {
        var machine = await MachineLifecycleApiTests.MachineInStateAsync(Admin, MachineState.Available);
        var refused = await Assert.ThrowsAsync<IngotApiException>(() => Admin.DeleteMachineAsync(machine.HardwareName));
        Assert.Equal(409, refused.Status);
        await Admin.TransitionAsync(machine.HardwareName, "decommission");
        await Admin.DeleteMachineAsync(machine.HardwareName);
        Assert.Equal(404, (await Assert.ThrowsAsync<IngotApiException>(() => Admin.GetMachineAsync(machine.HardwareName))).Status);
    }

    [Fact]
    public async Task Maintenance_needs_a_reason_and_is_shown_on_the_machine()
    {
        var machine = await Admin.CreateMachineAsync(fixture.Full());
        Assert.Equal(422, (await Assert.ThrowsAsync<IngotApiException>(() => Admin.SetMaintenanceAsync(machine.HardwareName, true))).Status);
        var on = await Admin.SetMaintenanceAsync(machine.HardwareName, true, "PSU swap, ticket DC-42");
        Assert.True(on.Maintenance);
        Assert.Equal("PSU swap, ticket DC-42", on.MaintenanceReason);
        var off = await Admin.SetMaintenanceAsync(machine.HardwareName, false);
        Assert.False(off.Maintenance);
        Assert.Null(off.MaintenanceReason);
    }

    [Fact]
    public async Task Unknown_machine_is_404_problem()
    {
        using var http = fixture.Server.Http();
        var response = await http.GetAsync("api/v1/machines/hw-does-not-exist");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("hw-does-not-exist", await response.Content.ReadAsStringAsync());
    }

    /// <summary>Issue 11 A.4: two editors who read the same machine; the second PATCH, based on what it read, must not
    /// silently overwrite the first.</summary>
    [Fact]
    public async Task Patch_with_a_stale_If_Match_is_412_and_changes_nothing_and_a_current_one_applies()
    {
        var machine = await Admin.CreateMachineAsync(fixture.Full());
        using var http = fixture.Server.Http();
        var read = await http.GetAsync($"api/v1/machines/{machine.HardwareName}");
        var etag = read.Headers.ETag;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);

        async Task<HttpResponseMessage> PatchAsync(string vendor, string? ifMatch)
        {
            using var request = new HttpRequestMessage(HttpMethod.Patch, $"api/v1/machines/{machine.HardwareName}") { Content = JsonContent.Create(new { vendor }) };
            if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
            return await http.SendAsync(request);
        }

        var first = await PatchAsync("first-editor", etag.Tag);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.NotEqual(etag, first.Headers.ETag);
        var stale = await (await PatchAsync("second-editor", etag.Tag)).ProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Contains("changed since it was read", stale.Detail);
        Assert.Equal("first-editor", (await Admin.GetMachineAsync(machine.HardwareName)).Vendor);

        Assert.Equal(HttpStatusCode.OK, (await PatchAsync("any-version", "*")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PatchAsync("no-condition", null)).StatusCode);
        var bad = await (await PatchAsync("garbage", "not-a-tag")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.True(bad.Errors!.ContainsKey("If-Match"));
        Assert.Equal("no-condition", (await Admin.GetMachineAsync(machine.HardwareName)).Vendor);
    }

    [Fact]
    public async Task A_mistyped_machine_name_is_a_404_naming_at_most_three_near_names()
    {
        var stem = Unique.Name("near");
        foreach (var n in new[] { "012", "013", "014", "015", "112" })
            await Admin.CreateMachineAsync(fixture.Full(hostname: $"{stem}-{n}.lon1"));

        var typo = await Assert.ThrowsAsync<IngotApiException>(() => Admin.GetMachineAsync($"{stem}-0l2.lon1"));
        Assert.Equal(404, typo.Status);
        string[] near = [$"{stem}-012.lon1", $"{stem}-013.lon1", $"{stem}-014.lon1"]; // nearest first, then by name
        Assert.Equal(near, typo.Problem.Extensions!["near_names"].EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal($"No machine '{stem}-0l2.lon1' exists. Did you mean {string.Join(", ", near)}?", typo.Problem.Detail);

        // The same rule wherever a machine is named, a job's door too; nothing near is a plain 404.
        var job = await Assert.ThrowsAsync<IngotApiException>(() => Admin.SubmitJobAsync($"{stem}-12.lon1", JobActions.PowerOn));
        Assert.Contains($"Did you mean {stem}-012.lon1, {stem}-112.lon1, ", job.Problem.Detail);
        var far = await Assert.ThrowsAsync<IngotApiException>(() => Admin.GetMachineAsync("zz-nothing-like-it"));
        Assert.False(far.Problem.Extensions?.ContainsKey("near_names") == true);
        Assert.Equal("No machine 'zz-nothing-like-it' exists.", far.Problem.Detail);
    }
}
