using System.Text.Json;

namespace Ingot.Client;

public enum BatchStatus { Queued, Running, Succeeded, CompletedWithErrors, Failed, Cancelled }

/// <summary>One action over many hosts (hostnames or hardware_names). <c>force</c> allows destructive actions
/// (reimage, recycle, decommission) on in_use machines. <c>precheck</c>: <c>true</c> checks every host's BMC first and
/// refuses the batch if any fails; <c>"exclude"</c> leaves the failing hosts out instead.</summary>
public sealed record BatchSubmit(string? Action, IReadOnlyList<string>? Hosts, IReadOnlyDictionary<string, JsonElement>? Params = null, bool? Force = null,
                                 JsonElement? Precheck = null);

public sealed record BatchCounts(long Queued, long Running, long Succeeded, long Failed, long Cancelled)
{
    /// <summary>A batch's status from its jobs' counts (and whether someone cancelled it): the one rule for the API and
    /// the batch.completed event.</summary>
    public BatchStatus StatusOf(bool cancelled)
    {
        var active = Queued + Running;
        return active > 0 ? (Running > 0 || Succeeded + Failed + Cancelled > 0 ? BatchStatus.Running : BatchStatus.Queued)
            : cancelled ? BatchStatus.Cancelled
            : Failed + Cancelled == 0 ? BatchStatus.Succeeded
            : Succeeded == 0 ? BatchStatus.Failed
            : BatchStatus.CompletedWithErrors;
    }
}

/// <summary><c>teams</c>: the teams whose machines the batch acts on, by their roles as they stand now (a free-pool host
/// adds none).</summary>
public sealed record BatchView(
    long Id,
    string Action,
    IReadOnlyDictionary<string, JsonElement> Params,
    string User,
    BatchStatus Status,
    int Hosts,
    BatchCounts Counts,
    bool Force,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    string? CancelledBy,
    IReadOnlyList<BatchExclusion> Excluded,
    IReadOnlyList<string>? Teams = null);

/// <summary>A host a <c>precheck: "exclude"</c> left out of its batch, and why (its BMC's error). <c>hosts</c> counts
/// only the hosts admitted; these are the rest.</summary>
public sealed record BatchExclusion(string Host, string Reason);

/// <summary>A host of a batch and its job; <c>team</c>: whose the machine is now (null: the free pool).</summary>
public sealed record BatchHostView(long MachineId, string HardwareName, string? Hostname, long JobId, JobStatus Status, string? CurrentStep, string? Error,
                                   string? Team = null);

public sealed record BatchQuery(string? User = null, string? Status = null, string? Action = null, DateTimeOffset? Since = null,
                                int? Limit = null, string? After = null);

public sealed record Percentiles(double P50, double P95, double Max);

public sealed record SkuStats(string? Sku, long Jobs, double SuccessRate);

public sealed record StepStats(string Step, long Count, Percentiles Seconds);

/// <summary>One action's batch jobs over the window: success rate, runtimes, per SKU, per step, and queue lag
/// (a batch's acceptance → its first job started).</summary>
public sealed record ActionStats(string Action, long Jobs, long Ended, double SuccessRate, Percentiles? RuntimeSeconds,
                                 IReadOnlyList<SkuStats> Skus, IReadOnlyList<StepStats> Steps, Percentiles? QueueLagSeconds);

public sealed record BatchStats(DateTimeOffset Since, IReadOnlyList<ActionStats> Actions);

public sealed record ActivityRow(string? Site, string Action, long Queued, long Running);
