using System.Text.Json;
using Ingot.Bmc;
using Ingot.Client;
using Ingot.Server.Api;

namespace Ingot.Server.Jobs;

/// <summary>What a worker needs from the broker, and nothing more: claim work, keep its claims alive, record each
/// step, end the job. The all-in-one server implements it on the database (<see cref="DatabaseJobQueue"/>); a
/// per-site agent (DESIGN.md §4.4) will implement it over HTTPS, pulling only its site's jobs.</summary>
public interface IJobQueue
{
    /// <summary>Up to <paramref name="max"/> runnable jobs, now leased to this worker node.</summary>
    Task<IReadOnlyList<ClaimedJob>> ClaimAsync(int max, CancellationToken ct);

    /// <summary>Extends the leases of the given claims; returns those still held (a claim taken over, or reaped and
    /// claimed again, is not).</summary>
    Task<IReadOnlySet<JobLease>> RenewAsync(IReadOnlyCollection<JobLease> leases, CancellationToken ct);

    /// <summary>Marks a step running (one more attempt), unless the job was cancelled or the claim lost.</summary>
    Task<StepGate> BeginStepAsync(JobLease lease, int position, CancellationToken ct);

    /// <summary>Records a step's end. Returns false when the claim was lost (another run owns the job now).</summary>
    Task<bool> EndStepAsync(JobLease lease, int position, StepStatus status, string? message, CancellationToken ct);

    /// <summary>Ends the job (or sends it back to the queue for another attempt), and releases its lease.</summary>
    Task FinishAsync(JobLease lease, JobEnding ending, CancellationToken ct);

    /// <summary>Moves the job's machine through the lifecycle table (a lifecycle step), as the job's user.</summary>
    Task<MachineState> TransitionAsync(JobLease lease, Trigger trigger, string? reason, CancellationToken ct);

    /// <summary>Feeds the per-BMC circuit breaker: null after a success, the error after a failure.</summary>
    Task RecordBmcAsync(long machineId, BmcException? error, CancellationToken ct);

    /// <summary>Parks a job in a waiting step: the step shows 'waiting' with the message, the worker is freed, and the
    /// job comes back to the queue when an event arrives for it or at <paramref name="until"/>, whichever is first —
    /// at once if more than <paramref name="eventsSeen"/> events of this attempt have arrived meanwhile.</summary>
    Task<bool> ParkAsync(JobLease lease, int position, DateTimeOffset until, string message, int eventsSeen, CancellationToken ct);

    /// <summary>The events the job's images posted during attempt <paramref name="attempt"/>, oldest first.</summary>
    Task<IReadOnlyList<JobEventView>> EventsAsync(JobLease lease, int attempt, CancellationToken ct);

    /// <summary>Records on the machine the image the job installed, and when.</summary>
    Task RecordInstallAsync(JobLease lease, string image, CancellationToken ct);

    /// <summary>Clears the image recorded on the machine, and when it was installed (its disks were wiped).</summary>
    Task ClearImageAsync(JobLease lease, CancellationToken ct);

    /// <summary>Checks the machine's reported hardware against its SKU (or finds and assigns the SKU it fits);
    /// returns what it found.</summary>
    /// <exception cref="StepFailedException">The hardware fits no SKU, or not its own (not transient).</exception>
    Task<string> CheckHardwareAsync(JobLease lease, CancellationToken ct);

    /// <summary>Gives the machine a hostname and/or a role (null keeps the present one).</summary>
    /// <exception cref="StepFailedException">The hostname is taken or the role is gone (not transient).</exception>
    Task AssignAsync(JobLease lease, string? hostname, string? role, CancellationToken ct);

    /// <summary>Clears the machine's role, hostname and image (a recycled machine belongs to nobody).</summary>
    Task ReleaseMachineAsync(JobLease lease, CancellationToken ct);

    /// <summary>An image of the catalog by name, or (name null) the wipe image; null when there is none.</summary>
    Task<ImageView?> ImageAsync(string? name, CancellationToken ct);

    /// <summary>Gives back every job this node still holds (a clean shutdown), so another node resumes them at once
    /// rather than after their leases expire.</summary>
    Task ReleaseAllAsync(CancellationToken ct);
}

/// <summary>One claim of one job. The token is new with every claim, so the fencing of a worker's writes tells apart
/// two runs of the same job even on one node (a run that fell a lease behind, and the run that reclaimed it).</summary>
public readonly record struct JobLease(long JobId, string Token);

public sealed record ClaimedStep(int Position, string Name, StepStatus Status, int Attempt, DateTimeOffset? StartedAt = null);

/// <summary>A job as a worker receives it: everything it needs to run, including the BMC's credentials.</summary>
public sealed record ClaimedJob(
    long Id,
    string Action,
    long MachineId,
    string HardwareName,
    string User,
    IReadOnlyDictionary<string, JsonElement> Params,
    int Attempt,
    int MaxAttempts,
    BmcTarget? Bmc,
    IReadOnlyList<ClaimedStep> Steps,
    string LeaseToken)
{
    public JobLease Lease => new(Id, LeaseToken);
}

public enum StepGate { Go, Cancelled, LeaseLost }

/// <summary>How a job's run ended.</summary>
public abstract record JobEnding
{
    public sealed record Succeeded(IReadOnlyDictionary<string, object?> Result) : JobEnding;

    /// <param name="Trigger">A lifecycle trigger to apply to the machine as the job fails (fail → broken), or null.</param>
    public sealed record Failed(string Error, Trigger? Trigger = null) : JobEnding;

    /// <summary>Back to the queue for attempt <c>attempt + 1</c>, not before <paramref name="RunAfter"/>.</summary>
    /// <param name="RestartFrom">Steps from this position on run again in the next attempt (an install starts over
    /// from setting the boot device); null resumes at the failed step.</param>
    public sealed record Retry(string Error, DateTimeOffset RunAfter, int? RestartFrom = null) : JobEnding;

    /// <param name="By">Who cancelled; null takes whoever asked for the cancellation.</param>
    public sealed record Cancelled(string? By) : JobEnding;
}
