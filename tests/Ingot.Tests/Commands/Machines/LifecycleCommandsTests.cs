using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Machines;

/// <summary>transition, maintenance, history and delete: the verbs that change one machine.</summary>
public sealed class LifecycleCommandsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Transition_moves_the_machine_and_history_records_who_and_why()
    {
        var machine = await Server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial()));
        using var cli = CliRunner.For(Server);

        var moved = await cli.OkAsync("machines", "transition", machine.HardwareName, "commission", "--reason", "racked and cabled");
        Assert.Equal($"{machine.HardwareName} is now available.", moved.Out.Trim());

        var history = await cli.OkAsync("machines", "history", machine.HardwareName);
        Assert.Equal(["AT", "FROM", "TO", "TRIGGER", "ACTOR", "REASON"], Lines.Cells(Lines.Of(history.Out)[0]));
        var last = Lines.Of(history.Out)[^1];
        Assert.Equal(["new", "available", "commission", "admin", "racked", "and", "cabled"], Lines.Cells(last)[2..]);

        var entries = (await cli.OkAsync("machines", "history", machine.Id.ToString(), "-o", "json")).Json<List<HistoryEntry>>();
        Assert.Equal(MachineState.Available, entries[^1].To);
    }

    [Fact]
    public async Task An_illegal_transition_is_the_servers_409_naming_the_current_state()
    {
        var machine = await Server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial()));
        using var cli = CliRunner.For(Server);
        var result = await cli.FailsAsync(1, "machines", "transition", machine.HardwareName, "install");
        Assert.Matches(@"^error: [^\n]+ \(409\): ", result.Error);
        Assert.Contains("new", result.Error);
        Assert.Contains("commission", result.Error);
    }

    [Fact]
    public async Task An_unknown_trigger_is_the_servers_422_listing_the_triggers()
    {
        var machine = await Server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial()));
        using var cli = CliRunner.For(Server);
        var result = await cli.FailsAsync(1, "machines", "transition", machine.HardwareName, "explode");
        Assert.StartsWith("error: Invalid request (422): trigger: 'explode' is not a trigger", result.Error);
    }

    [Fact]
    public async Task Maintenance_on_with_a_reason_then_off()
    {
        var machine = await Server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial()));
        using var cli = CliRunner.For(Server);

        var on = await cli.OkAsync("machines", "maintenance", machine.HardwareName, "on", "--reason", "PSU swap");
        Assert.Equal($"{machine.HardwareName}: maintenance on (PSU swap).", on.Out.Trim());
        Assert.Contains("maintenance:    on (PSU swap)", (await cli.OkAsync("machines", "show", machine.HardwareName)).Out);

        var off = (await cli.OkAsync("machines", "maintenance", machine.HardwareName, "off", "-o", "json")).Json<MachineView>();
        Assert.False(off.Maintenance);
    }

    [Fact]
    public async Task Maintenance_on_without_a_reason_is_the_servers_422()
    {
        var machine = await Server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial()));
        using var cli = CliRunner.For(Server);
        var result = await cli.FailsAsync(1, "machines", "maintenance", machine.HardwareName, "on");
        Assert.StartsWith("error: Invalid request (422): reason:", result.Error);
    }

    [Fact]
    public async Task Maintenance_accepts_only_on_or_off()
    {
        using var cli = CliRunner.For(Server);
        var result = await cli.RunAsync("machines", "maintenance", "hw-x", "maybe");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("maybe", result.Error);
    }

    [Fact]
    public async Task Delete_removes_a_new_machine_but_the_server_refuses_one_in_service()
    {
        var fresh = await Server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial()));
        var commissioned = await Server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial()));
        await Server.Admin.TransitionAsync(commissioned.HardwareName, "commission");
        using var cli = CliRunner.For(Server);

        Assert.Equal($"Deleted machine {fresh.HardwareName}.", (await cli.OkAsync("machines", "delete", fresh.HardwareName)).Out.Trim());
        Assert.StartsWith("error: Not found (404):", (await cli.FailsAsync(1, "machines", "show", fresh.HardwareName)).Error);

        var refused = await cli.FailsAsync(1, "machines", "delete", commissioned.HardwareName);
        Assert.StartsWith("error: Conflict (409):", refused.Error);
    }
}
