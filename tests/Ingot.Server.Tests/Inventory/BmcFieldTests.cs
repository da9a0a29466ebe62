using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.Inventory;

/// <summary>A BMC that no job could ever reach is refused when it is written, by the API and the CSV import alike
/// (issue 11 D.3): an address that is neither an IP address nor a DNS name, and IPMI credentials longer than IPMI keeps.</summary>
public sealed class BmcFieldTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private IngotClient Admin => fixture.Server.Admin;

    [Theory]
    [InlineData("ipmi", "999.1.1.1", "admin", "password", "bmc.address")]
    [InlineData("ipmi", "-bad-", "admin", "password", "bmc.address")]
    [InlineData("ipmi", "10", "admin", "password", "bmc.address")]
    [InlineData("ipmi", "10.0.0.1", "admin", "123456789012345678901", "bmc.password")]
    [InlineData("sim", "10.0.0.1", "a-user-name-of-17", "password", "bmc.username")]
    public async Task A_BMC_no_job_could_reach_is_422_naming_the_field_and_nothing_is_created(string driver, string address, string user, string password, string field)
    {
        var serial = Unique.Serial();
        var error = await Assert.ThrowsAsync<IngotApiException>(() =>
            Admin.CreateMachineAsync(new MachineCreate(serial, Bmc: new BmcInput(driver, address, null, user, password))));
        Assert.Equal(422, error.Status);
        Assert.Equal([field], error.Problem.Errors!.Keys);
        Assert.Equal(404, (await Assert.ThrowsAsync<IngotApiException>(() => Admin.GetMachineAsync("hw-" + serial.ToLowerInvariant()))).Status);
    }

    [Theory]
    [InlineData("ipmi", "10.0.0.1")]
    [InlineData("ipmi", "fd00::1")]
    [InlineData("redfish", "bmc-01.lon1.example.net")]
    public async Task Addresses_and_names_that_a_BMC_has_are_accepted(string driver, string address)
    {
        // Redfish passwords are not held to IPMI's 20 bytes.
        var machine = await Admin.CreateMachineAsync(new MachineCreate(Unique.Serial(), Bmc: new BmcInput(driver, address, null, "root", driver == "redfish" ? new string((char)112, 40) : "password")));
        Assert.Equal(address, machine.Bmc!.Address);
    }

    [Fact]
    public async Task A_CSV_row_with_a_bad_BMC_address_is_rejected_alone()
    {
        var (good, bad) = (Unique.Serial(), Unique.Serial());
        var result = await Admin.ImportMachinesAsync($"serial,bmc_driver,bmc_address\n{good},ipmi,10.1.2.3\n{bad},ipmi,999.1.1.1\n");
        Assert.Equal((1, 1), (result.Accepted, result.Rejected));
        Assert.Contains("'999.1.1.1' is not an IP address or a DNS name", string.Join(" ", result.Errors.Select(e => e.Reason)));
    }
}
