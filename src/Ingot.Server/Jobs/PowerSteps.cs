using System.Globalization;
using Ingot.Bmc;
using Ingot.Server.Inventory;
using Ingot.Server.Api;

namespace Ingot.Server.Jobs;

/// <summary>Power on or (hard) off, confirmed. Already there is success with nothing sent.</summary>
public sealed class EnsurePowerStep(PowerState wanted) : IJobStep
{
    private readonly string word = wanted == PowerState.On ? "on" : "off";

    public string Name => $"power_{word}";
    public bool UsesBmc => true;

    public async Task<StepResult> RunAsync(StepContext context, CancellationToken ct)
    {
        var power = context.Power();
        var outcome = wanted == PowerState.On ? await power.EnsureOnAsync(ct) : await power.EnsureOffAsync(ct);
        context.Result["power_state"] = word;
        return outcome == PowerOutcome.AlreadyThere ? $"already {word}; nothing sent" : $"powered {word}; the BMC reports {word}";
    }
}

/// <summary>Graceful shutdown (ACPI soft off), then a hard power off if the OS has not stopped by the deadline
/// (param <c>graceful_timeout_seconds</c>, default from options).</summary>
public sealed class ShutdownStep : IJobStep
{
    public string Name => "shutdown";
    public bool UsesBmc => true;

    public async Task<StepResult> RunAsync(StepContext context, CancellationToken ct)
    {
        var power = context.Capability<IPowerControl>("control power");
        if (await power.GetPowerStateAsync(ct) == PowerState.Off) return "already off; nothing sent";
        var graceful = JobPlans.GracefulTimeout(context.Job.Params) ?? context.Options.GracefulShutdown;
        await power.SendPowerAsync(PowerAction.SoftOff, ct);
        try
        {
            await context.Power(graceful).WaitForAsync(PowerState.Off, ct);
            return "shut down gracefully; the BMC reports off";
        }
        catch (PowerNotConfirmedException)
        {
            await context.Power().EnsureOffAsync(ct);
            return string.Create(CultureInfo.InvariantCulture,
                $"still on {graceful.TotalSeconds:0} s after a graceful shutdown request; powered off hard, the BMC reports off");
        }
    }
}

/// <summary>Sets the next boot device and reads it back: an override the BMC accepted but did not keep would
/// otherwise send an install to the local disk. The boot mode is the machine's (<see cref="ClaimedJob.Uefi"/>) unless
/// a set_boot_device job names one: a legacy-BIOS machine is never switched to UEFI by an install.</summary>
/// <param name="device">The device a flow's step always sets, with <paramref name="persistent"/>; null takes both
/// from the job's params.</param>
public sealed class SetBootDeviceStep(string name = "set_boot_device", BootDevice? device = null, bool persistent = false) : IJobStep
{
    public string Name => name;
    public bool UsesBmc => true;

    public async Task<StepResult> RunAsync(StepContext context, CancellationToken ct)
    {
        var wanted = device is { } fixedDevice
            ? new BootSettings(fixedDevice, persistent, context.Job.Uefi)
            : JobPlans.BootSettings(context.Job.Params, context.Job.Uefi);
        var boot = context.Capability<IBootDeviceControl>("set the boot device");
        var outcome = await BootConfirmation.SetAsync(boot, context.Bmc.Target.Name, wanted, ct);
        context.NoteQuirks(outcome.Quirks);
        if (device is null)
        {
            context.Result["boot_device"] = JobPlans.DeviceName(wanted.Device);
            context.Result["persistent"] = wanted.Persistent;
            context.Result["mode"] = wanted.Uefi ? "uefi" : "legacy";
        }
        var set = $"boot device {BootConfirmation.Describe(wanted)}";
        return outcome.Quirks.Count == 0 ? $"{set}; read back the same"
            : $"{set}; read back {BootConfirmation.DeviceName(outcome.ReadBack.Device)}: {BootConfirmation.DescribeQuirks(outcome.Quirks)} (a quirk of this BMC, kept in its health)";
    }
}

/// <summary>The machine's reported hardware fits a SKU (commissioning's second check).</summary>
public sealed class CheckHardwareStep : IJobStep
{
    public string Name => "check_hardware";
    public bool UsesBmc => false;

    public async Task<StepResult> RunAsync(StepContext context, CancellationToken ct) =>
        await context.InLeaseAsync(c => HardwareCheck.RunAsync(c, context.Job.MachineId, context.Clock.GetUtcNow()), ct);
}

/// <summary>The BMC answers with the stored credentials (commissioning's first check).</summary>
public sealed class CheckBmcStep : IJobStep
{
    public string Name => "check_bmc";
    public bool UsesBmc => true;

    public async Task<StepResult> RunAsync(StepContext context, CancellationToken ct)
    {
        var state = await context.Capability<IPowerControl>("read power").GetPowerStateAsync(ct);
        context.Result["power_state"] = state == PowerState.On ? "on" : "off";
        return $"the BMC answers with the stored credentials; power is {(state == PowerState.On ? "on" : "off")}";
    }
}
