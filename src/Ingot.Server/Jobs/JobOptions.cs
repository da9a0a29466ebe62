using Ingot.Bmc;
using Ingot.Server.Api;

namespace Ingot.Server.Jobs;

/// <summary>The broker's limits and timings (INGOT_JOBS_* variables, declared with their ranges in Hosting/ServerOptions). Every wait a job
/// step makes has its deadline here, never in a loop.</summary>
public sealed record JobOptions
{
    /// <summary>Run workers in this process. Off for API-only nodes (and tests that drive the queue by hand).</summary>
    public bool RunWorkers { get; init; } = true;

    /// <summary>Jobs this node runs at once (the global worker count of one node). Jobs are async, not threads.</summary>
    public int Workers { get; init; } = 64;

    /// <summary>Jobs running at once in one site, across every node: a site's BMC network and PDUs are shared.</summary>
    public int PerSiteLimit { get; init; } = 200;

    /// <summary>Job-level attempts; each re-attempt waits <see cref="JobRetry"/>.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>Retries of a transient BMC failure inside a step, before the attempt fails.</summary>
    public int StepRetries { get; init; } = 3;

    public Backoff StepRetry { get; init; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));

    public Backoff JobRetry { get; init; } = new(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(10));

    /// <summary>How long a claim holds without a heartbeat. A node that dies loses its jobs to another after this.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often an idle worker looks for work that another node queued (its own submissions wake it at once).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Consecutive transient failures after which a BMC is 'unreachable' and its circuit opens.</summary>
    public int BreakerThreshold { get; init; } = 3;

    /// <summary>How long an open circuit keeps jobs off a BMC; doubles with each further failure.</summary>
    public Backoff BreakerOpen { get; init; } = new(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(15));

    /// <summary>How long a BMC may take to report the wanted power state after acknowledging a command.</summary>
    public TimeSpan PowerDeadline { get; init; } = new PowerWaitOptions().Deadline;

    /// <summary>Spacing of power-state polls while waiting (MAAS's waiting policy, as data). Both defaults are the BMC
    /// library's (<see cref="PowerWaitOptions"/>), declared there once.</summary>
    public IReadOnlyList<TimeSpan> PowerPolls { get; init; } = new PowerWaitOptions().PollDelays;

    /// <summary>How long <c>reboot</c> waits for a graceful shutdown before it powers off hard (param graceful_timeout_seconds).</summary>
    public TimeSpan GracefulShutdown { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Hosts one batch may name (issue 6: default 10,000). Larger batches are refused with a 422.</summary>
    public int BatchMaxHosts { get; init; } = 10_000;
}
