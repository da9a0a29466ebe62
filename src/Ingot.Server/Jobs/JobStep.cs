using Ingot.Bmc;

namespace Ingot.Server.Jobs;

/// <summary>One step of a job. A step acts, waits and verifies, and is idempotent: a job taken over from a dead
/// node runs its unfinished step again, so running a step whose effect is already there must simply succeed.
/// Throw a <see cref="BmcException"/> to fail (transient ones are retried); return a message for the record.</summary>
public interface IJobStep
{
    string Name { get; }

    /// <summary>Talks to the BMC: transient failures are retried inside the step and feed the circuit breaker.</summary>
    bool UsesBmc { get; }

    Task<string> RunAsync(StepContext context, CancellationToken ct);
}

/// <summary>What a step runs with: the job, its BMC (connected on first use) and a result it may add to.</summary>
public sealed class StepContext(ClaimedJob job, IJobQueue queue, JobOptions options, TimeProvider clock, Func<BmcTarget, IBmc> connect)
    : IAsyncDisposable
{
    private IBmc? bmc;

    public ClaimedJob Job { get; } = job;
    public IJobQueue Queue { get; } = queue;
    public JobOptions Options { get; } = options;
    public TimeProvider Clock { get; } = clock;

    /// <summary>The job's result, filled by its steps (for example <c>power_state</c>).</summary>
    public Dictionary<string, object?> Result { get; } = [];

    /// <summary>The machine's BMC, one connection (and for IPMI one session) for the whole job.</summary>
    /// <exception cref="BmcUnsupportedException">The machine has no BMC in the inventory.</exception>
    public IBmc Bmc => bmc ??= Job.Bmc is { } target
        ? connect(target)
        : throw new BmcUnsupportedException(Job.HardwareName, "the machine has no BMC in the inventory; set its bmc first");

    public T Capability<T>(string what) where T : class =>
        Bmc as T ?? throw new BmcUnsupportedException(Bmc.Target.Name, $"its driver '{Bmc.Target.Driver}' cannot {what}");

    public PowerConfirmation Power(TimeSpan? deadline = null) => new(
        Capability<IPowerControl>("control power"), Bmc.Target.Name,
        new PowerWaitOptions { Deadline = deadline ?? Options.PowerDeadline, PollDelays = Options.PowerPolls }, Clock);

    public async ValueTask DisposeAsync()
    {
        if (bmc is not null) await bmc.DisposeAsync();
    }
}

/// <summary>A confirmation that failed although the BMC accepted the command (DESIGN.md §6).</summary>
public sealed class NotConfirmedException(string bmc, string message) : BmcException(bmc, message)
{
    public override bool IsTransient => true;
}
