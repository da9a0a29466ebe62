using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.Hosting;

/// <summary>Free text has a length limit per field, named in the 422 with the field, at every door (issue 11 D.2): a
/// megabyte vendor made a page of 1,000 machines 23–32 MB. A value at the limit is kept; nothing of a refused request is.</summary>
public sealed class TextLimitTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private IngotClient Admin => fixture.Server.Admin;

    [Fact]
    public async Task A_megabyte_vendor_is_422_naming_the_field_and_its_limit_and_nothing_is_created()
    {
        var serial = Unique.Serial();
        var error = await Assert.ThrowsAsync<IngotApiException>(() =>
            Admin.CreateMachineAsync(new MachineCreate(serial, Vendor: new string('v', 1 << 20), Nics: [new NicInput(Unique.Mac(), new string('n', 129))])));

        Assert.Equal(422, error.Status);
        Assert.Equal(["nics[0].name", "vendor"], error.Problem.Errors!.Keys.Order());
        Assert.Equal("is 1048576 characters long; at most 128 are kept.", Assert.Single(error.Problem.Errors["vendor"]));
        Assert.Equal(404, (await Assert.ThrowsAsync<IngotApiException>(() => Admin.GetMachineAsync("hw-" + serial.ToLowerInvariant()))).Status);
    }

    [Fact]
    public async Task Values_at_the_limit_are_kept_and_one_character_more_is_refused_on_update_and_maintenance()
    {
        var machine = await Admin.CreateMachineAsync(new MachineCreate(Unique.Serial(), Vendor: new string('v', 128), Model: new string('m', 128)));
        Assert.Equal(128, machine.Vendor!.Length);

        var update = await Assert.ThrowsAsync<IngotApiException>(() => Admin.UpdateMachineAsync(machine.HardwareName, new MachineUpdate(Model: new string('m', 129))));
        Assert.Equal(["model"], update.Problem.Errors!.Keys);
        var reason = await Assert.ThrowsAsync<IngotApiException>(() => Admin.SetMaintenanceAsync(machine.HardwareName, true, new string('r', 1001)));
        Assert.Equal(["reason"], reason.Problem.Errors!.Keys);
        Assert.Contains("at most 1000", reason.Problem.Errors["reason"][0]);

        var after = await Admin.GetMachineAsync(machine.HardwareName);
        Assert.Equal((new string('m', 128), false), (after.Model, after.Maintenance));
    }

    [Fact]
    public async Task An_over_long_property_name_is_named_by_its_start_without_echoing_it()
    {
        using var http = fixture.Server.Http();
        var name = new string('k', 5000);
        using var response = await http.PostAsync("api/v1/sites", new StringContent($$"""{"name": "x", "{{name}}": 1}""", System.Text.Encoding.UTF8, "application/json"));
        var problem = await response.ProblemAsync(System.Net.HttpStatusCode.UnprocessableEntity);
        var field = Assert.Single(problem.Errors!.Keys);
        Assert.Equal(new string('k', 64) + "…", field);
        Assert.True((await response.Content.ReadAsStringAsync()).Length < 2000);
    }

    [Fact]
    public async Task A_CSV_row_with_an_over_long_cell_or_a_NUL_is_refused_by_line_and_the_others_are_imported()
    {
        var (good, tooLong, nul) = (Unique.Serial(), Unique.Serial(), Unique.Serial());
        var result = await Admin.ImportMachinesAsync(
            $"serial,vendor,model\n{good},Dell,R650\n{tooLong},{new string('v', 129)},R650\n{nul},Dell,R6\u000050\n");

        Assert.Equal((1, 2), (result.Accepted, result.Rejected));
        Assert.Equal([3, 4], result.Errors.Select(e => e.Line));
        Assert.Contains("vendor is 129 characters long; at most 128 are kept.", result.Errors[0].Reason);
        Assert.Contains("model contains a NUL character", result.Errors[1].Reason);
        Assert.Equal("Dell", (await Admin.GetMachineAsync("hw-" + good.ToLowerInvariant())).Vendor);
    }
}
