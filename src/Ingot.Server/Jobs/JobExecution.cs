using Ingot.Bmc;
using Ingot.Client;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Ingot.Server.Api;

namespace Ingot.Server.Jobs;

/// <summary>Runs one claimed job: each unfinished step in order, each step's start and end recorded before the
/// next, cancellation checked at every step boundary. A transient BMC failure is retried inside the step (Polly,
/// exponential backoff with jitter); if it persists, the job goes back to the queue for another attempt after
/// <see cref="JobOptions.JobRetry"/>, until its attempts run out. A fatal failure ends the job at once.</summary>
public sealed partial class JobExecution(IJobQueue queue, JobOptions options, TimeProvider clock, Func<BmcTarget, IBmc> connect, ILogger log)
{
    private readonly ResiliencePipeline retries = BuildRetries(options, clock);

    private static ResiliencePipeline BuildRetries(JobOptions options, TimeProvider clock)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = clock };
        if (options.StepRetries > 0)
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<BmcException>(e => e.IsTransient),
                MaxRetryAttempts = options.StepRetries,
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(options.StepRetry.Delay(args.AttemptNumber)),
            });
        return builder.Build();
    }

    public async Task RunAsync(ClaimedJob job, CancellationToken ct)
    {
        var plan = JobPlans.Find(job.Action);
        if (plan is null)
        {
            await queue.FinishAsync(job.Lease, new JobEnding.Failed($"unknown action '{job.Action}' (a newer node queued it?)"), ct);
            return;
        }
        await using var context = new StepContext(job, queue, options, clock, connect);
        foreach (var record in job.Steps.Where(s => s.Status != StepStatus.Succeeded))
        {
            switch (await queue.BeginStepAsync(job.Lease, record.Position, ct))
            {
                case StepGate.LeaseLost: return;
                case StepGate.Cancelled:
                    await queue.FinishAsync(job.Lease, new JobEnding.Cancelled(null), ct);
                    return;
            }
            var step = JobPlans.Step(plan, record.Name);
            // BeginStep restarted the step's clock unless it was waiting (a waiting step looks again within its attempt):
            // the record loaded at the claim still carries the previous attempt's start, and a waiting step measures its
            // deadline from its start (issue 11 A.2: retried installs failed within milliseconds).
            context.Step = record.Status == StepStatus.Waiting ? record : record with { StartedAt = clock.GetUtcNow() };
            var ran = System.Diagnostics.Stopwatch.StartNew();
            var goesOn = await RunStepAsync(job, plan, record, step, context, ct);
            JobMetrics.StepRan(job.Action, record.Name, goesOn ? "succeeded" : "stopped", ran.Elapsed);
            if (!goesOn) return;
        }
        await queue.FinishAsync(job.Lease, new JobEnding.Succeeded(context.Result), ct);
    }

    /// <returns>Whether the job goes on to its next step.</returns>
    private async Task<bool> RunStepAsync(ClaimedJob job, JobPlan plan, ClaimedStep record, IJobStep step, StepContext context, CancellationToken ct)
    {
        try
        {
            var result = await retries.ExecuteAsync(async token => await step.RunAsync(context, token), ct);
            if (result.WaitUntil is { } until)
            {
                await queue.ParkAsync(job.Lease, record.Position, until, result.Message, result.EventsSeen, ct);
                return false; // the worker is free; an event or the deadline brings the job back to this step
            }
            return await queue.EndStepAsync(job.Lease, record.Position, StepStatus.Succeeded, result.Message, Bmc(job, step, null, context.TakeQuirks()), ct);
        }
        catch (LeaseLostException)
        {
            return false; // another run holds the job now and resumes it
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // This node is stopping or lost the lease: the job's next holder resumes at this step.
            return false;
        }
        catch (PowerNotConfirmedException e)
        {
            // Fails the job at once, this attempt being its last (issue 11 A.6): say why no attempt follows, and what helps.
            await EndAsync(job, plan, record, $"{e.Message}; not retried: the BMC took the command but the machine did not follow " +
                "(check the BMC; if this machine is merely slow, raise INGOT_JOBS_POWER_DEADLINE_SECONDS)", transient: false, ct, Bmc(job, step, e));
            return false;
        }
        catch (BmcException e)
        {
            await EndAsync(job, plan, record, e.Message, e.IsTransient, ct, Bmc(job, step, e));
            return false;
        }
        catch (StepFailedException e)
        {
            await EndAsync(job, plan, record, e.Message, e.IsTransient, ct);
            return false;
        }
        catch (Exception e) when (e is Api.IngotException)
        {
            // A refused lifecycle transition and the like: the machine is not where this job needs it; retrying will not move it.
            await EndAsync(job, plan, record, e.Message, transient: false, ct);
            return false;
        }
        catch (Exception e)
        {
            LogStepCrashed(e, job.Id, record.Name);
            await EndAsync(job, plan, record, $"internal error: {e.Message}", transient: false, ct);
            return false;
        }
    }

    /// <summary>What the step reports of the BMC: nothing for a step that does not talk to it.</summary>
    private static BmcOutcome? Bmc(ClaimedJob job, IJobStep step, BmcException? error, IReadOnlyList<string>? quirks = null) =>
        step.UsesBmc ? new BmcOutcome(job.MachineId, error, quirks) : null;

    private async Task EndAsync(ClaimedJob job, JobPlan plan, ClaimedStep record, string reason, bool transient, CancellationToken ct, BmcOutcome? bmc = null)
    {
        if (!await queue.EndStepAsync(job.Lease, record.Position, StepStatus.Failed, reason, bmc, ct)) return;
        var error = $"step {record.Name}, attempt {job.Attempt} of {job.MaxAttempts}: {reason}";
        if (transient && job.Attempt < job.MaxAttempts)
        {
            var runAfter = clock.GetUtcNow() + options.JobRetry.Delay(job.Attempt - 1);
            await queue.FinishAsync(job.Lease, new JobEnding.Retry(error, runAfter, plan.RestartFrom), ct);
            return;
        }
        if (transient) error += " (no attempts left)";
        await queue.FinishAsync(job.Lease, new JobEnding.Failed(error, plan.FailsMachine ? Trigger.Fail : null), ct);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId}: step {Step} crashed")]
    private partial void LogStepCrashed(Exception e, long jobId, string step);
}
