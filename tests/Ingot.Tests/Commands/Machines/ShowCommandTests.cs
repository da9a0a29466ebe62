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
            Assert.Contains("bmc health:     -", shown.Out); // no BMC, no health
        }

        var json = (await cli.OkAsync("machines", "show", machine.HardwareName, "-o", "json")).Json<MachineView>();
        Assert.Equal(machine.Id, json.Id);
    }

    [Fact]
    public async Task Control_characters_in_machine_fields_are_shown_escaped_never_sent_to_the_terminal()
    {
        // Retitles an xterm and clears its screen when printed raw.
        const string hostile = "\u001b]0;owned\u0007\u001b[2J";
        var machine = await Server.Admin.CreateMachineAsync(new MachineCreate(
            Unique.Serial(), Vendor: hostile, Model: "O'Brien\nline two", Nics: [new NicInput(Unique.Mac())]));
        using var cli = CliRunner.For(Server);

        var shown = await cli.OkAsync("machines", "show", machine.HardwareName);
        Assert.DoesNotContain(shown.Out, c => char.IsControl(c) && c != '\n');
        Assert.Contains(@"vendor:         \x1b]0;owned\x07\x1b[2J", shown.Out);
        Assert.Contains(@"model:          O'Brien\x0aline two", shown.Out); // a newline in a value keeps the layout

        var listed = await cli.OkAsync("machines", "list", "--q", machine.Serial, "--limit", "5");
        Assert.Contains(machine.HardwareName, listed.Out);
        Assert.DoesNotContain('\u001b', listed.Out);

        // JSON keeps the exact value (control characters as JSON escapes) and prints an apostrophe as itself.
        var json = await cli.OkAsync("machines", "show", machine.HardwareName, "-o", "json");
        Assert.DoesNotContain('\u001b', json.Out);
        Assert.Contains("\"model\": \"O'Brien\\nline two\"", json.Out);
        Assert.Equal(hostile, json.Json<MachineView>().Vendor);
    }

    [Fact]
    public async Task A_servers_error_detail_is_escaped_too()
    {
        using var cli = CliRunner.For(Server);
        var result = await cli.FailsAsync(1, "machines", "show", "hw-\u001b[2J");
        Assert.DoesNotContain('\u001b', result.Error);
        Assert.Contains(@"hw-\x1b[2J", result.Error);
    }

    [Fact]
    public async Task A_mistyped_hostname_prints_the_near_names()
    {
        var inv = await Inventory.CreateAsync(Server);
        var hostname = Unique.Name("web") + "-07.example.net";
        await Server.Admin.CreateMachineAsync(new MachineCreate(
            Unique.Serial(), Site: inv.Site, Role: inv.Role, Hostname: hostname, Nics: [new NicInput(Unique.Mac())]));
        using var cli = CliRunner.For(Server);

        var result = await cli.FailsAsync(1, "machines", "show", hostname.Replace("-07.", "-7."));
        Assert.Contains($"Did you mean {hostname}?", result.Error);
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
