using System.Text.Json;
using Ingot.Bmc;
using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Api;

namespace Ingot.Server.Jobs;

/// <summary>The lease protocol between workers and the broker, and nothing more: claim work, keep the claims alive,
/// record each step (with its BMC's outcome), park a waiting job, end it, give everything back. The all-in-one server
/// implements it on the database (<see cref="DatabaseJobQueue"/>); a per-site agent (DESIGN.md §4.4) will implement it
/// over HTTPS, pulling only its site's jobs and running only their BMC steps. Steps that change the inventory run on the
/// server, through <see cref="InLeaseAsync{T}"/>, calling Inventory's own functions (docs/adr/0003-job-broker.md).</summary>
public interface IJobQueue
{
    /// <summary>Up to <paramref name="max"/> runnable jobs, now leased to this worker node.</summary>
    Task<IReadOnlyList<ClaimedJob>> ClaimAsync(int max, CancellationToken ct);

    /// <summary>Extends the leases of the given claims; returns those still held (a claim taken over, or reaped and
    /// claimed again, is not).</summary>
    Task<IReadOnlySet<JobLease>> RenewAsync(IReadOnlyCollection<JobLease> leases, CancellationToken ct);

    /// <summary>Marks a step running (one more attempt), unless the job was cancelled or the claim lost.</summary>
    Task<StepGate> BeginStepAsync(JobLease lease, int position, CancellationToken ct);

    /// <summary>Records a step's end, and for a step that talked to the BMC, how the BMC did (it feeds the per-BMC
    /// circuit breaker). Returns false when the claim was lost (another run owns the job now).</summary>
    Task<bool> EndStepAsync(JobLease lease, int position, StepStatus status, string? message, BmcOutcome? bmc, CancellationToken ct);

    /// <summary>Parks a job in a waiting step: the step shows 'waiting' with the message, the worker is freed, and the
    /// job comes back to the queue when an event arrives for it or at <paramref name="until"/>, whichever is first —
    /// at once if more than <paramref name="eventsSeen"/> events of this attempt have arrived meanwhile.</summary>
    Task<bool> ParkAsync(JobLease lease, int position, DateTimeOffset until, string message, int eventsSeen, CancellationToken ct);

    /// <summary>Ends the job (or sends it back to the queue for another attempt), and releases its lease.</summary>
    Task FinishAsync(JobLease lease, JobEnding ending, CancellationToken ct);

    /// <summary>Gives back every job this node still holds (a clean shutdown), so another node resumes them at once
    /// rather than after their leases expire.</summary>
    Task ReleaseAllAsync(CancellationToken ct);

    /// <summary>The one fenced hook: runs <paramref name="work"/> in a transaction that holds only while this lease does
    /// (the job's row is locked for it), so a step's inventory change is made by the run that owns the job or not at all.</summary>
    /// <exception cref="LeaseLostException">The lease is no longer this run's; nothing of the work was done.</exception>
    Task<T> InLeaseAsync<T>(JobLease lease, Func<DataContext, Task<T>> work, CancellationToken ct);
}

/// <summary>How the BMC did in a step that talked to it: answered (<see cref="Error"/> null) or failed with the error.</summary>
/// <param name="Quirks">Quirks of the BMC the step found (<see cref="BootQuirks"/>), to be kept in its health.</param>
public sealed record BmcOutcome(long MachineId, BmcException? Error, IReadOnlyList<string>? Quirks = null);

/// <summary>The run no longer holds the job's lease: another run owns it and will finish it.</summary>
public sealed class LeaseLostException(long jobId) : Exception($"job {jobId}: the lease is held by another run now");

/// <summary>One claim of one job. The token is new with every claim, so the fencing of a worker's writes tells apart
/// two runs of the same job even on one node (a run that fell a lease behind, and the run that reclaimed it).</summary>
public readonly record struct JobLease(long JobId, string Token);

public sealed record ClaimedStep(int Position, string Name, StepStatus Status, int Attempt, DateTimeOffset? StartedAt = null);

/// <summary>A job as a worker receives it: everything it needs to run, including the BMC's credentials.</summary>
/// <param name="Uefi">The machine's boot mode as of this claim (<see cref="Inventory.BootModes"/>): the mode its boot
/// steps ask the BMC for. Read again at every claim, so a mode its installer's boot reported is used by the steps after.</param>
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
    string LeaseToken,
    bool Uefi = true)
{
    public JobLease Lease => new(Id, LeaseToken);

    /// <summary>Who a job's changes are recorded as: its user, through it.</summary>
    public string Actor => ActorOf(User, Id);

    public static string ActorOf(string user, long jobId) => $"{user} (job {jobId})";
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
