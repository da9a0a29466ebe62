using System.Text.Json;

namespace Ingot.Client;

public enum JobStatus { Queued, Running, Succeeded, Failed, Cancelled }

/// <summary>Waiting: parked until an outside event (an installer's callback) or its deadline; it holds no worker.</summary>
public enum StepStatus { Pending, Running, Waiting, Succeeded, Failed, Cancelled }

/// <summary>The actions a job can perform. Lifecycle actions move the machine through the state machine
/// inside their steps; power actions change no lifecycle state (DESIGN.md §2).</summary>
public static class JobActions
{
    public const string PowerOn = "power_on", PowerOff = "power_off", PowerCycle = "power_cycle", Reboot = "reboot";
    public const string SetBootDevice = "set_boot_device", Commission = "commission";
    public const string Install = "install", Reimage = "reimage", Recycle = "recycle", Decommission = "decommission";
    public const string WipeDisks = "wipe_disks";

    /// <summary>How a refusal of an erasing action on an in_use machine ends, in the API's words; the CLI says
    /// <c>--force</c> instead.</summary>
    public const string ForceHint = "pass force: true";
}

/// <summary>What a client posts to <c>/api/v1/machines/{id}/jobs</c>. <c>params</c> depends on the action:
/// <c>set_boot_device</c> takes <c>device</c> (pxe, disk, bios_setup), <c>persistent</c> (bool) and <c>mode</c>
/// (uefi, legacy); <c>reboot</c> takes <c>graceful_timeout_seconds</c>; the others take none.</summary>
/// <param name="Force">Needed for an action that erases the machine (reimage, recycle, wipe_disks, decommission) on an
/// in_use machine.</param>
public sealed record JobSubmit(string? Action, IReadOnlyDictionary<string, JsonElement>? Params = null, bool? Force = null);

/// <summary>A job action on a machine and whether the caller may submit it (GET /api/v1/machines/{id}/actions):
/// <c>reason</c> says why not; <c>erases</c>: it wipes or reinstalls the machine (force needed while in_use).</summary>
public sealed record MachineActionView(string Action, bool Allowed, string? Reason, bool Erases);

/// <summary>The machine a job acts on; <c>team</c> owns it through its role (null: the free pool).</summary>
public sealed record JobTarget(long MachineId, string HardwareName, string? Hostname, string? Site, string? Team = null);

public sealed record JobStepView(
    string Name, StepStatus Status, int Attempt, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, string? Message);

public sealed record JobView(
    long Id,
    string Action,
    JobTarget Target,
    IReadOnlyDictionary<string, JsonElement> Params,
    string Requester,
    string User,
    JobStatus Status,
    IReadOnlyDictionary<string, JsonElement>? Result,
    string? Error,
    int Attempt,
    int MaxAttempts,
    DateTimeOffset RunAfter,
    IReadOnlyList<JobStepView> Steps,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    long? BatchId,
    long? QueuePosition,
    string? CancelledBy,
    IReadOnlyList<JobEventView>? Events = null);

/// <summary>Filters of the job list; they combine with AND. Newest first; <c>after</c> is the <c>next</c> of
/// the previous page.</summary>
public sealed record JobQuery(
    string? Machine = null,
    string? Status = null,
    string? Action = null,
    string? User = null,
    long? Batch = null,
    DateTimeOffset? Since = null,
    int? Limit = null,
    string? After = null);

public sealed record SiteLoad(string? Site, long Running, long Queued, int Limit);

/// <summary>The broker's limits as configured on the answering node, and its load now.</summary>
public sealed record BrokerStatus(
    int WorkersPerNode,
    int PerSiteLimit,
    int MaxAttempts,
    int StepRetries,
    double LeaseSeconds,
    long Queued,
    long Running,
    IReadOnlyList<SiteLoad> Sites);

public enum BmcHealthStatus { Ok, Degraded, Unreachable }

/// <summary>The per-BMC circuit breaker as users see it: health, the last error and since when; while
/// <c>retry_after</c> is in the future, jobs on the machine wait instead of hammering its BMC.</summary>
/// <param name="Quirks">What this BMC was seen not to report although it applied it, learned by jobs: for example
/// <c>boot_valid_not_reported</c>, <c>boot_persistence_not_reported</c>, <c>boot_mode_not_reported</c> (OpenIPMI
/// ipmi_sim has all three). A boot device is still confirmed on such a BMC; its flags cannot be.</param>
public sealed record BmcHealthView(BmcHealthStatus Status, int Failures, string? LastError, DateTimeOffset Since, DateTimeOffset? RetryAfter,
                                   IReadOnlyList<string>? Quirks = null);

/// <summary>Jobs of one action, site and SKU in the window (GET /api/v1/jobs/stats): counts by outcome, the success rate
/// of those that ended (succeeded or failed), runtimes (first start to end) and queue lags (queueing to first start).
/// Percentiles come from the database's duration histogram: exact to within their bucket; <c>max</c> is exact.</summary>
public sealed record JobGroupStats(string Action, string? Site, string? Sku, long Jobs, long Succeeded, long Failed, long Cancelled, long Active,
                                   double SuccessRate, Percentiles? Runtime, Percentiles? QueueLag);

/// <summary>A step of an action: how many runs succeeded and how long they took.</summary>
public sealed record StepDurationStats(string Action, string Step, long Runs, Percentiles? Duration);

/// <summary>GET /api/v1/jobs/stats: every job queued in [since, until), single and batch (<c>source</c> to choose), by
/// action, site and SKU; <c>steps</c>: per action and step.</summary>
public sealed record JobStats(DateTimeOffset Since, DateTimeOffset Until, string Source, IReadOnlyList<JobGroupStats> Groups,
                              IReadOnlyList<StepDurationStats> Steps);
