using System.Globalization;
using Ingot.Client;
using Ingot.Server.Inventory;
using Ingot.Server.Api;

namespace Ingot.Server.Jobs;

/// <summary>Waits for the booted image to report <paramref name="wanted"/> on /boot/events, without holding a worker:
/// while nothing has come it parks the job until the image's deadline, and each event brings the job back to look.
/// A 'failed' event, or the deadline passing, fails the attempt (retried from the boot device on).</summary>
public sealed class WaitForImageStep(string name, string wanted) : IJobStep
{
    public string Name => name;
    public bool UsesBmc => false;

    public async Task<StepResult> RunAsync(StepContext context, CancellationToken ct)
    {
        var imageName = JobPlans.Wipes(context.Job.Action) ? null : JobPlans.ImageName(context.Job.Params) ?? "";
        var (image, events) = await context.InLeaseAsync(async c => (
            imageName is null ? await ImageRow.OfKindAsync(c, ImageKind.Wipe) : await ImageRow.FindAsync(c, imageName),
            await JobEventRow.ReadAsync(c, context.Job.Id, context.Job.Attempt, limit: 1000)), ct);
        if (image is null)
            throw new StepFailedException(imageName is null ? "no wipe image is in the catalog (POST /api/v1/images, kind wipe)"
                                                            : $"image '{imageName}' is no longer in the catalog", transient: false);
        if (events.LastOrDefault(e => e.Event == "failed") is { } failed)
            throw new StepFailedException($"the installer reported failure: {failed.Message ?? "no message"}" +
                                          (failed.Log is { Length: > 0 } log ? $" — log: {Tail(log)}" : ""), transient: true);
        // Any event proves the installer started, even if 'started' itself was lost.
        if (wanted == "started" ? events.Count > 0 : events.Any(e => e.Event == wanted))
            return $"the installer reported '{wanted}'{Progress(events)}";

        var now = context.Clock.GetUtcNow();
        var deadline = (context.Step?.StartedAt ?? now).AddSeconds(image.DeadlineSeconds);
        if (now >= deadline)
            throw new StepFailedException(string.Create(CultureInfo.InvariantCulture,
                $"the installer did not report '{wanted}' within {image.DeadlineSeconds} s{Progress(events)}"), transient: true);
        return StepResult.Wait(deadline, string.Create(CultureInfo.InvariantCulture,
            $"waiting for the installer to report '{wanted}', until {deadline:yyyy-MM-dd HH:mm:ss}Z{Progress(events)}"), events.Count);
    }

    private static string Progress(IReadOnlyList<JobEventView> events) =>
        events.LastOrDefault(e => e.Event == "progress") is { } p ? $" (last progress: {p.Step} {p.Percent}%)" : "";

    private static string Tail(string log) => log.Length <= 300 ? log : "…" + log[^300..];
}

/// <summary>An install allocates: the machine takes the hostname and role the job names (DESIGN.md §1: a machine has a
/// hostname only while it has a role).</summary>
public sealed class AssignNameStep : IJobStep
{
    public string Name => "assign_name";
    public bool UsesBmc => false;

    public async Task<StepResult> RunAsync(StepContext context, CancellationToken ct)
    {
        var (hostname, role) = JobPlans.Naming(context.Job.Params);
        if (hostname is null && role is null) return "no hostname or role given; the machine keeps its own";
        await context.InLeaseAsync(async c =>
        {
            await MachineAssignment.AssignAsync(c, context.Job.MachineId, hostname, role, context.Clock.GetUtcNow());
            return 0;
        }, ct);
        return $"hostname {hostname ?? "(unchanged)"}, role {role ?? "(unchanged)"}";
    }
}

/// <summary>The wipe is done: recycling → available, with role, hostname and image released.</summary>
public sealed class FinishRecycleStep : IJobStep
{
    public string Name => "mark_available";
    public bool UsesBmc => false;

    public async Task<StepResult> RunAsync(StepContext context, CancellationToken ct)
    {
        var job = context.Job;
        var state = await context.InLeaseAsync(async c =>
        {
            var now = context.Clock.GetUtcNow();
            var reached = await Transitions.ApplyOnceAsync(c, job.MachineId, Trigger.FinishRecycle, job.Actor, "disks wiped", now);
            await MachineAssignment.ReleaseAsync(c, job.MachineId, now);
            return reached;
        }, ct);
        context.Result["machine_state"] = Wire.Name(state);
        return $"machine is {Wire.Name(state)}; role, hostname and image released";
    }
}

/// <summary>A wipe_disks job is done: the machine keeps its state, role and hostname, but no image is installed any
/// more, so the one recorded is cleared (a machine showing an image its disks no longer hold would mislead whoever
/// reads it).</summary>
public sealed class FinishWipeStep : IJobStep
{
    public string Name => "clear_installed_image";
    public bool UsesBmc => false;

    public async Task<StepResult> RunAsync(StepContext context, CancellationToken ct)
    {
        await context.InLeaseAsync(async c =>
        {
            await MachineAssignment.ClearImageAsync(c, context.Job.MachineId, context.Clock.GetUtcNow());
            return 0;
        }, ct);
        return "disks wiped; the machine's installed image is cleared";
    }
}

/// <summary>The install is done: installing → in_use, with the image and the time recorded on the machine.</summary>
public sealed class FinishInstallStep : IJobStep
{
    public string Name => "mark_in_use";
    public bool UsesBmc => false;

    public async Task<StepResult> RunAsync(StepContext context, CancellationToken ct)
    {
        var image = JobPlans.ImageName(context.Job.Params) ?? "";
        var job = context.Job;
        var state = await context.InLeaseAsync(async c =>
        {
            var now = context.Clock.GetUtcNow();
            var reached = await Transitions.ApplyOnceAsync(c, job.MachineId, Trigger.FinishInstall, job.Actor, $"installed {image}", now);
            await MachineAssignment.RecordInstallAsync(c, job.MachineId, image, now);
            return reached;
        }, ct);
        context.Result["machine_state"] = Wire.Name(state);
        context.Result["image"] = image;
        return $"machine is {Wire.Name(state)} with {image}";
    }
}
