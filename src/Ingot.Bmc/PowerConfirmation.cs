namespace Ingot.Bmc;

/// <summary>Deadlines and poll spacing for confirming a power change. The spacing is data, as in MAAS's
/// waiting policy: early polls close together, later ones further apart, the last value repeating.</summary>
public sealed record PowerWaitOptions
{
    /// <summary>How long a BMC may take to report the target state after acknowledging the command.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(60);

    public IReadOnlyList<TimeSpan> PollDelays { get; init; } =
        [.. new[] { 1, 2, 2, 4, 6, 8, 12 }.Select(s => TimeSpan.FromSeconds(s))];
}

public enum PowerOutcome
{
    /// <summary>Already in the wanted state: nothing was sent.</summary>
    AlreadyThere,
    /// <summary>A command was sent and the BMC then reported the wanted state.</summary>
    Confirmed,
}

/// <summary>The BMC did not report the wanted state before the deadline, although it acknowledged the
/// command (DESIGN.md §6: an acknowledgement is not an effect). Not transient: the BMC answered, so this is no
/// timeout or lost packet that a retry gets past; a BMC that takes commands without acting on them does not act on
/// the same command sent again (issue 11 A.6: retrying it kept a batch running ~13 minutes, a whole deadline per try,
/// after every other host had ended). A machine that is merely slow needs a longer deadline, not more tries.</summary>
public sealed class PowerNotConfirmedException(string bmc, PowerState wanted, PowerState last, TimeSpan waited)
    : BmcException(bmc, $"acknowledged the power command but still reports {last.ToString().ToLowerInvariant()} " +
                        $"after {waited.TotalSeconds:0} s (wanted {wanted.ToString().ToLowerInvariant()})")
{
    public override bool IsTransient => false;
}

/// <summary>Power changes that act, wait and verify (DESIGN.md §6, STYLE.md "a step acts, waits,
/// verifies"): read the state, act only if needed, then poll until the BMC reports the target state.</summary>
public sealed class PowerConfirmation(IPowerControl power, string bmcName, PowerWaitOptions options, TimeProvider clock)
{
    public Task<PowerOutcome> EnsureOnAsync(CancellationToken ct = default) => EnsureAsync(PowerState.On, PowerAction.On, ct);

    public Task<PowerOutcome> EnsureOffAsync(CancellationToken ct = default) => EnsureAsync(PowerState.Off, PowerAction.Off, ct);

    /// <summary>Off, confirmed, then on, confirmed. A BMC's own "cycle" can be too quick to observe, so
    /// a BMC that acknowledges it and does nothing would pass unnoticed; two confirmed steps cannot.
    /// A machine that is off is simply powered on.</summary>
    public async Task<PowerOutcome> CycleAsync(CancellationToken ct = default)
    {
        await EnsureOffAsync(ct);
        await EnsureAsync(PowerState.On, PowerAction.On, ct);
        return PowerOutcome.Confirmed;
    }

    /// <summary>A hard reset of a running machine (on if it is off), confirmed by the BMC reporting on.</summary>
    public async Task<PowerOutcome> ResetAsync(CancellationToken ct = default)
    {
        if (await power.GetPowerStateAsync(ct) == PowerState.Off)
            return await EnsureAsync(PowerState.On, PowerAction.On, ct);
        await power.SendPowerAsync(PowerAction.Reset, ct);
        await WaitForAsync(PowerState.On, ct);
        return PowerOutcome.Confirmed;
    }

    private async Task<PowerOutcome> EnsureAsync(PowerState wanted, PowerAction action, CancellationToken ct)
    {
        if (await power.GetPowerStateAsync(ct) == wanted) return PowerOutcome.AlreadyThere;
        await power.SendPowerAsync(action, ct);
        await WaitForAsync(wanted, ct);
        return PowerOutcome.Confirmed;
    }

    /// <summary>Polls until the BMC reports <paramref name="wanted"/>, for at most the options' deadline.</summary>
    /// <exception cref="PowerNotConfirmedException">The deadline passed first.</exception>
    public async Task WaitForAsync(PowerState wanted, CancellationToken ct = default)
    {
        var started = clock.GetTimestamp();
        for (var poll = 0; ; poll++)
        {
            var state = await power.GetPowerStateAsync(ct);
            if (state == wanted) return;
            var waited = clock.GetElapsedTime(started);
            if (waited >= options.Deadline) throw new PowerNotConfirmedException(bmcName, wanted, state, waited);
            var delay = options.PollDelays[Math.Min(poll, options.PollDelays.Count - 1)];
            var left = options.Deadline - waited;
            await Task.Delay(delay < left ? delay : left, clock, ct);
        }
    }
}
