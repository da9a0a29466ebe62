using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Machines;

public sealed class ShowCommandTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Show_finds_a_machine_by_id_hardware_name_or_hostname()
    {
        var inv = await Inventory.CreateAsync(Server);
        var hostname = Unique.Name("db") + ".example.net";
        var machine = await Server.Admin.CreateMachineAsync(new MachineCreate(
            Unique.Serial(), Site: inv.Site, Role: inv.Role, Hostname: hostname, Nics: [new NicInput(Unique.Mac(), "eth0")]));
        using var cli = CliRunner.For(Server);

        foreach (var name in new[] { machine.Id.ToString(), machine.HardwareName, hostname })
        {
            var shown = await cli.OkAsync("machines", "show", name);
            Assert.Contains($"hardware name:  {machine.HardwareName}", shown.Out);
            Assert.Contains($"hostname:       {hostname}", shown.Out);
            Assert.Contains($"team:           {inv.Team}", shown.Out);
            Assert.Contains(machine.Nics[0].Mac, shown.Out);
        }

        var json = (await cli.OkAsync("machines", "show", machine.HardwareName, "-o", "json")).Json<MachineView>();
        Assert.Equal(machine.Id, json.Id);
    }

    [Fact]
    public async Task An_unknown_machine_is_the_servers_404()
    {
        using var cli = CliRunner.For(Server);
        var result = await cli.FailsAsync(1, "machines", "show", "hw-no-such-machine");
        Assert.StartsWith("error: Not found (404):", result.Error);
        Assert.Contains("hw-no-such-machine", result.Error);
    }
}
