using System.Text.Json;
using Ingot.Bmc;
using Ingot.Client;
using Ingot.Server.Api;
using Ingot.Server.Inventory;

namespace Ingot.Server.Jobs;

/// <summary>One action: its steps in order, the lifecycle trigger it needs the machine to accept (checked at
/// submission), and whether running out of attempts marks the machine broken.</summary>
/// <param name="RestartFrom">Where a new attempt starts over (null: at the failed step).</param>
/// <param name="AllowedStates">The states a machine must be in to take the job, for actions that move no lifecycle
/// state yet make no sense in every one (wipe_disks); null allows any. Lifecycle actions use <paramref name="Requires"/>.</param>
/// <param name="BreaksMachine">Running out of attempts marks the machine broken though the action moves no lifecycle
/// state (wipe_disks: its disks may be half erased).</param>
public sealed record JobPlan(string Action, IReadOnlyList<IJobStep> Steps, Trigger? Requires = null, int? RestartFrom = null,
                             IReadOnlySet<MachineState>? AllowedStates = null, bool BreaksMachine = false)
{
    /// <summary>Lifecycle actions move the machine; when they exhaust their attempts the machine is failed (→ broken).</summary>
    public bool IsLifecycle => Requires is not null;

    /// <summary>Whether a job that runs out of attempts fails its machine (→ broken): lifecycle actions, and the wipe.
    /// DESIGN.md §5: "any step that exhausts its retries" breaks the machine; a power action on it does not.</summary>
    public bool FailsMachine => IsLifecycle || BreaksMachine;

    /// <summary>Why a machine in <paramref name="state"/> cannot take this job under <see cref="AllowedStates"/>, or null.</summary>
    public IngotException? StateRefusal(string machine, string state) =>
        AllowedStates is null || !Wire.TryParse<MachineState>(state, out var current) || AllowedStates.Contains(current)
            ? null
            : new StateNotAllowedException(machine, current, Action, AllowedStates);
}

/// <summary>Refused because the action is not allowed in the machine's state (an action that moves no state, so the
/// lifecycle table cannot say; for lifecycle actions see <see cref="IllegalTransitionException"/>).</summary>
public sealed class StateNotAllowedException(string machine, MachineState current, string action, IReadOnlySet<MachineState> allowed)
    : IngotException($"Machine {machine} is '{Wire.Name(current)}': '{action}' is only allowed from " +
                     $"{string.Join(", ", allowed.Order().Select(Wire.Name))}.")
{
    public override int Status => 409;
    public override string Slug => "state-not-allowed";
    public override string Title => "Action not allowed in this state";
    public override IReadOnlyDictionary<string, object?> Extensions { get; } = new Dictionary<string, object?>
    {
        ["current_state"] = Wire.Name(current),
        ["action"] = action,
        ["allowed_states"] = allowed.Order().Select(Wire.Name).ToArray(),
    };
}

/// <summary>The action table: what each job action does, step by step, and which params it takes. The install,
/// reimage, recycle and decommission flows plug in here as more plans made of the same kinds of steps.</summary>
public static class JobPlans
{
    private static readonly IJobStep On = new EnsurePowerStep(PowerState.On), Off = new EnsurePowerStep(PowerState.Off);

    private static readonly Dictionary<string, JobPlan> Plans = new JobPlan[]
    {
        new(JobActions.PowerOn, [On]),
        new(JobActions.PowerOff, [Off]),
        // Off then on, each confirmed, never the BMC's one-shot "cycle": a job resumed after its node died re-runs
        // its first unfinished step, and "ensure off"/"ensure on" are safe to repeat where "cycle" is not.
        new(JobActions.PowerCycle, [Off, On]),
        new(JobActions.Reboot, [new ShutdownStep(), On]),
        new(JobActions.SetBootDevice, [new SetBootDeviceStep()]),
        new(JobActions.Commission, [new CheckBmcStep(), new CheckHardwareStep(), new TransitionStep("mark_available", Trigger.Commission)], Trigger.Commission),
        Install(JobActions.Install, Trigger.Install),
        Install(JobActions.Reimage, Trigger.Reimage),
        // Recycle: the wipe image erases the disks, then the machine is available again with role and hostname released.
        new(JobActions.Recycle,
        [
            new TransitionStep("mark_recycling", Trigger.Recycle), .. Wipe(), new FinishRecycleStep(),
        ], Trigger.Recycle, RestartFrom: 1),
        // Decommission: wipe while the machine keeps its state (its data must not leave the building), then power off
        // and leave the fleet.
        new(JobActions.Decommission, [.. Wipe(), Off, new TransitionStep("mark_decommissioned", Trigger.Decommission)],
            Trigger.Decommission, RestartFrom: 0),
        // Wipe disks: erase the machine where it stands, state, role and hostname kept; only its image goes, since
        // nothing is installed any more. Not from new (never commissioned: its BMC and hardware are unproven),
        // decommissioned (gone), allocated (reserved for an install about to write the disk) or mid-flow (installing,
        // recycling: a job of theirs owns the disk).
        new(JobActions.WipeDisks, [.. Wipe(), new FinishWipeStep()], RestartFrom: 0,
            AllowedStates: new HashSet<MachineState> { MachineState.Available, MachineState.InUse, MachineState.Broken }, BreaksMachine: true),
    }.ToDictionary(p => p.Action);

    /// <summary>The step that starts an image-booting plan's network boot (the power-on after PXE was set): the boot
    /// service hands out an attempt's boot token only once the attempt has begun it (Boot/BootDecision).</summary>
    public static string NetworkBootStep => On.Name;

    /// <summary>Actions whose machine network-boots the wipe image (the boot service's choice follows the job).</summary>
    public static bool Wipes(string action) => action is JobActions.Recycle or JobActions.Decommission or JobActions.WipeDisks;

    /// <summary>Actions that erase what runs on the machine: an in_use machine takes them only when forced.</summary>
    public static bool Erases(string action) => Wipes(action) || action is JobActions.Reimage;

    /// <summary>Boot the wipe image and wait for it to finish, then boot from disk again.</summary>
    private static IJobStep[] Wipe() =>
    [
        new SetBootDeviceStep("set_boot_pxe", BootDevice.Pxe),
        Off,
        On,
        new WaitForImageStep("wait_wipe_started", "started"),
        new WaitForImageStep("wait_wipe_finished", "finished"),
        new SetBootDeviceStep("set_boot_disk", BootDevice.Disk, persistent: true),
    ];

    /// <summary>DESIGN.md §5: installing → next boot PXE → power cycle (confirmed) → the installer's 'started' → its
    /// 'finished' (the image's deadline) → boot from disk → in_use with the image recorded. A failed attempt starts
    /// again from the boot device, so a retry really reinstalls.</summary>
    private static JobPlan Install(string action, Trigger trigger) => new(action,
    [
        .. action == JobActions.Install ? [new AssignNameStep()] : Array.Empty<IJobStep>(),
        new TransitionStep("mark_installing", trigger),
        new SetBootDeviceStep("set_boot_pxe", BootDevice.Pxe),
        Off,
        On,
        new WaitForImageStep("wait_installer_started", "started"),
        new WaitForImageStep("wait_installer_finished", "finished"),
        new SetBootDeviceStep("set_boot_disk", BootDevice.Disk, persistent: true),
        new FinishInstallStep(),
    ], trigger, RestartFrom: action == JobActions.Install ? 2 : 1);

    public static IReadOnlyCollection<string> Actions => Plans.Keys;

    public static JobPlan? Find(string action) => Plans.GetValueOrDefault(action);

    public static IJobStep Step(JobPlan plan, string name) =>
        plan.Steps.FirstOrDefault(s => s.Name == name) ?? throw new InvalidOperationException($"action {plan.Action} has no step {name}");

    private static readonly Dictionary<string, string[]> ParamNames = new()
    {
        [JobActions.SetBootDevice] = ["device", "persistent", "mode"],
        [JobActions.Reboot] = ["graceful_timeout_seconds"],
        [JobActions.Install] = ["image", "hostname", "role"],
        [JobActions.Reimage] = ["image"],
    };

    /// <summary>The image an install or reimage job names; its existence is checked at submission.</summary>
    public static string? ImageName(IReadOnlyDictionary<string, JsonElement> parameters) => Text(parameters, "image");

    /// <summary>The hostname and role an install gives the machine it allocates (both optional).</summary>
    public static (string? Hostname, string? Role) Naming(IReadOnlyDictionary<string, JsonElement> parameters) =>
        (Text(parameters, "hostname")?.ToLowerInvariant(), Text(parameters, "role")?.ToLowerInvariant());

    /// <summary>Checks an action's params, adding each problem to <paramref name="v"/> under <c>params.NAME</c>.</summary>
    public static void Validate(string action, IReadOnlyDictionary<string, JsonElement> parameters, Validation v)
    {
        var known = ParamNames.GetValueOrDefault(action) ?? [];
        foreach (var name in parameters.Keys.Where(k => !known.Contains(k)))
            v.Add($"params.{name}", known.Length == 0
                ? $"'{action}' takes no params."
                : $"is not a param of '{action}' (known: {string.Join(", ", known)}).");
        if (action == JobActions.SetBootDevice)
        {
            var device = Text(parameters, "device");
            if (device is null) v.Add("params.device", "is required: pxe, disk or bios_setup.");
            else if (ParseDevice(device) is null) v.Add("params.device", $"'{device}' is not a boot device: pxe, disk or bios_setup.");
            if (parameters.TryGetValue("persistent", out var p) && p.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                v.Add("params.persistent", "must be true or false.");
            if (parameters.ContainsKey("mode") && Text(parameters, "mode") is not ("uefi" or "legacy"))
                v.Add("params.mode", "must be uefi or legacy.");
        }
        if (action is JobActions.Install or JobActions.Reimage && Text(parameters, "image") is null)
            v.Add("params.image", "is required: the name of an install image (ingot images list).");
        if (action == JobActions.Reboot && parameters.TryGetValue("graceful_timeout_seconds", out var g) &&
            (g.ValueKind != JsonValueKind.Number || !g.TryGetInt32(out var seconds) || seconds is < 0 or > 3600))
            v.Add("params.graceful_timeout_seconds", "must be a whole number of seconds from 0 to 3600.");
    }

    public static TimeSpan? GracefulTimeout(IReadOnlyDictionary<string, JsonElement> parameters) =>
        parameters.TryGetValue("graceful_timeout_seconds", out var g) && g.TryGetInt32(out var s) ? TimeSpan.FromSeconds(s) : null;

    /// <summary>A set_boot_device job's settings; without <c>mode</c>, the machine's boot mode (<paramref name="machineUefi"/>).</summary>
    public static BootSettings BootSettings(IReadOnlyDictionary<string, JsonElement> parameters, bool machineUefi) => new(
        ParseDevice(Text(parameters, "device") ?? "") ?? BootDevice.None,
        parameters.TryGetValue("persistent", out var p) && p.ValueKind == JsonValueKind.True,
        Text(parameters, "mode") switch { "legacy" => false, "uefi" => true, _ => machineUefi });

    public static string DeviceName(BootDevice device) => device switch
    {
        BootDevice.Pxe => "pxe",
        BootDevice.Disk => "disk",
        BootDevice.BiosSetup => "bios_setup",
        _ => "none",
    };

    private static BootDevice? ParseDevice(string text) => text switch
    {
        "pxe" => BootDevice.Pxe,
        "disk" => BootDevice.Disk,
        "bios_setup" => BootDevice.BiosSetup,
        _ => null,
    };

    private static string? Text(IReadOnlyDictionary<string, JsonElement> parameters, string name) =>
        parameters.TryGetValue(name, out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
}
