using Ingot.Bmc;
using Ingot.Server.Data;
using Ingot.Server.Api;

namespace Ingot.Server.Jobs;

/// <summary>One step of a job. A step acts, waits and verifies, and is idempotent: a job taken over from a dead
/// node runs its unfinished step again, so running a step whose effect is already there must simply succeed.
/// Throw a <see cref="BmcException"/> to fail (transient ones are retried); return a message for the record.</summary>
public interface IJobStep
{
    string Name { get; }

    /// <summary>Talks to the BMC: transient failures are retried inside the step and feed the circuit breaker.</summary>
    bool UsesBmc { get; }

    Task<StepResult> RunAsync(StepContext context, CancellationToken ct);
}

/// <summary>How a step ended: done (with a message for the record), or waiting for something outside — an
/// installer's callback — until a deadline. A waiting job gives its worker back; an event or the deadline brings it
/// back to the queue, and the same step runs again to look.</summary>
/// <param name="EventsSeen">How many of the job's events the step had read when it chose to wait: one that arrives
/// while the job is parking must still wake it.</param>
public sealed record StepResult(string Message, DateTimeOffset? WaitUntil = null, int EventsSeen = 0)
{
    public static implicit operator StepResult(string message) => new(message);

    public static StepResult Wait(DateTimeOffset until, string message, int eventsSeen) => new(message, until, eventsSeen);
}

/// <summary>A step failed for a reason that is not the BMC's (an installer reported failure, or never called back).</summary>
public sealed class StepFailedException(string message, bool transient) : Exception(message)
{
    public bool IsTransient { get; } = transient;
}

/// <summary>What a step runs with: the job, its BMC (connected on first use) and a result it may add to.</summary>
public sealed class StepContext(ClaimedJob job, IJobQueue queue, JobOptions options, TimeProvider clock, Func<BmcTarget, IBmc> connect)
    : IAsyncDisposable
{
    private IBmc? bmc;

    public ClaimedJob Job { get; } = job;

    /// <summary>The step being run, as it was when the job was claimed (a waiting step keeps its first start).</summary>
    public ClaimedStep? Step { get; set; }
    public IJobQueue Queue { get; } = queue;

    /// <summary>Runs database work in a transaction that holds only while this run holds the job's lease (the queue's
    /// fenced hook): how a step changes the inventory, through Inventory's own functions.</summary>
    public Task<T> InLeaseAsync<T>(Func<DataContext, Task<T>> work, CancellationToken ct) => Queue.InLeaseAsync(Job.Lease, work, ct);
    public JobOptions Options { get; } = options;
    public TimeProvider Clock { get; } = clock;

    /// <summary>The job's result, filled by its steps (for example <c>power_state</c>).</summary>
    public Dictionary<string, object?> Result { get; } = [];

    private readonly List<string> quirks = [];

    /// <summary>Notes quirks of the BMC the running step found (<see cref="BootQuirks"/>): they ride on the step's end
    /// into the BMC's health.</summary>
    public void NoteQuirks(IEnumerable<string> found) => quirks.AddRange(found);

    /// <summary>The quirks noted since the last call (one step's), and forgets them.</summary>
    public IReadOnlyList<string> TakeQuirks()
    {
        string[] taken = [.. quirks.Distinct().Order(StringComparer.Ordinal)];
        quirks.Clear();
        return taken;
    }

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
