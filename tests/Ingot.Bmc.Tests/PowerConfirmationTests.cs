using Ingot.Bmc.Tests.Redfish;

namespace Ingot.Bmc.Tests;

/// <summary>PowerConfirmation against a simulated BMC over Redfish (DESIGN.md §6): act only if needed, then
/// poll until the BMC reports the target state, and say so when it never does. Time is fake: no sleeping.</summary>
public sealed class PowerConfirmationTests
{
    private static readonly PowerWaitOptions Wait = new();

    [Fact]
    public async Task A_bmc_that_acknowledges_and_ignores_power_commands_is_not_confirmed()
    {
        await using var sim = await SimRedfish.StartAsync(PowerState.Off);
        sim.Bmc.Faults = new() { IgnorePowerCommands = true };
        await using var bmc = sim.Client();
        var clock = new FakeClock();
        var confirmation = new PowerConfirmation(bmc, bmc.Target.Name, Wait, clock);

        var e = await Assert.ThrowsAsync<PowerNotConfirmedException>(() => confirmation.EnsureOnAsync());

        Assert.Contains("still reports off after 60 s (wanted on)", e.Message);
        Assert.False(e.IsTransient); // an answer without effect: sending it again would not help (issue 11 A.6)
        Assert.Equal(1, sim.State.ResetRequests); // acknowledged once, then only polled
        Assert.Equal(Wait.Deadline, clock.Elapsed);
        // The waiting policy as data: 1, 2, 2, 4, 6, 8, 12, then 12 again until the deadline cuts the last one short.
        Assert.Equal(new double[] { 1, 2, 2, 4, 6, 8, 12, 12, 12, 1 }, clock.Waits.Select(w => w.TotalSeconds));
        Assert.Equal(PowerState.Off, sim.Bmc.Power);
    }

    [Fact]
    public async Task Ensure_on_of_a_machine_that_is_on_sends_nothing()
    {
        await using var sim = await SimRedfish.StartAsync(PowerState.On);
        await using var bmc = sim.Client();
        var confirmation = new PowerConfirmation(bmc, bmc.Target.Name, Wait, new FakeClock());

        Assert.Equal(PowerOutcome.AlreadyThere, await confirmation.EnsureOnAsync());

        Assert.Equal(0, sim.State.ResetRequests);
        Assert.Equal(0, sim.Bmc.PowerTransitions);
    }

    [Fact]
    public async Task Ensure_on_of_a_machine_that_is_off_powers_it_on_and_confirms_without_waiting()
    {
        await using var sim = await SimRedfish.StartAsync(PowerState.Off);
        await using var bmc = sim.Client();
        var clock = new FakeClock();
        var confirmation = new PowerConfirmation(bmc, bmc.Target.Name, Wait, clock);

        Assert.Equal(PowerOutcome.Confirmed, await confirmation.EnsureOnAsync());

        Assert.Equal(PowerState.On, sim.Bmc.Power);
        Assert.Equal(1, sim.Bmc.PowerTransitions);
        Assert.Empty(clock.Waits); // the first poll already saw "On"
    }

    [Fact]
    public async Task Cycle_is_off_confirmed_then_on_confirmed()
    {
        await using var sim = await SimRedfish.StartAsync(PowerState.On);
        await using var bmc = sim.Client();
        var confirmation = new PowerConfirmation(bmc, bmc.Target.Name, Wait, new FakeClock());

        Assert.Equal(PowerOutcome.Confirmed, await confirmation.CycleAsync());

        Assert.Equal(PowerState.On, sim.Bmc.Power);
        Assert.Equal(2, sim.Bmc.PowerTransitions);
        Assert.Equal(2, sim.State.ResetRequests); // ForceOff, then On: never the BMC's own PowerCycle
    }

    [Fact]
    public async Task Ensure_off_through_a_bmc_that_ignores_commands_fails_after_the_deadline_from_options()
    {
        await using var sim = await SimRedfish.StartAsync(PowerState.On);
        sim.Bmc.Faults = new() { IgnorePowerCommands = true };
        await using var bmc = sim.Client();
        var clock = new FakeClock();
        var options = new PowerWaitOptions { Deadline = TimeSpan.FromSeconds(5), PollDelays = [TimeSpan.FromSeconds(2)] };
        var confirmation = new PowerConfirmation(bmc, bmc.Target.Name, options, clock);

        var e = await Assert.ThrowsAsync<PowerNotConfirmedException>(() => confirmation.EnsureOffAsync());

        Assert.Contains("still reports on after 5 s (wanted off)", e.Message);
        Assert.Equal(new double[] { 2, 2, 1 }, clock.Waits.Select(w => w.TotalSeconds));
    }
}
