using Ingot.Client;

namespace Ingot.Commands.Jobs;

/// <summary>Job progress as plain lines, one per change of a job's status or of a step's, for output that is
/// not a terminal (a pipe, a log, a test): nothing is redrawn, and each line names its job. A job that retries says
/// which attempt failed, why, and when the next one starts, so a wait on a dead BMC is never silent.</summary>
/// <param name="write">Where a line goes: stdout for `jobs watch`, whose progress is its output; stderr for `--wait`,
/// whose stdout is the final table.</param>
internal sealed class ProgressLines(Func<string, CancellationToken, Task> write)
{
    private readonly Dictionary<long, (JobStatus Status, int Attempt)> jobs = [];
    private readonly Dictionary<(long Job, string Step), (StepStatus Status, int Attempt, string? Message)> steps = [];

    public async Task ReportAsync(IReadOnlyList<JobView> round, CancellationToken ct)
    {
        foreach (var job in round)
        {
            var prefix = $"job {job.Id} ({job.Action} on {JobTable.Host(job.Target)}): ";
            var status = (job.Status, job.Attempt);
            var known = jobs.TryGetValue(job.Id, out var seen);
            var statusChanged = !known || seen != status;
            jobs[job.Id] = status;
            // A poll can fall between two attempts' runs and miss the queued spell: the failure is still said (the job's
            // error is the previous attempt's until this one ends), so a retry is never silent.
            if (statusChanged && job is { Status: JobStatus.Running, Attempt: > 1, Error.Length: > 0 } && seen != (JobStatus.Queued, job.Attempt))
                await write(prefix + $"attempt {job.Attempt - 1}/{job.MaxAttempts} failed, retried: {job.Error}", ct);
            // A job that starts is announced before its steps; one that ends or goes back to the queue, after them (its
            // failed step is the reason).
            var last = JobTable.Ended(job) || Retrying(job);
            if (statusChanged && !last) await write(prefix + Status(job), ct);
            foreach (var step in job.Steps)
            {
                var state = (step.Status, step.Attempt, step.Message);
                // Pending steps are the plan, not progress; they show once they start (or are cancelled).
                if (step.Status == StepStatus.Pending || steps.GetValueOrDefault((job.Id, step.Name)) == state) continue;
                steps[(job.Id, step.Name)] = state;
                await write(prefix + Step(step), ct);
            }
            if (statusChanged && last) await write(prefix + Status(job), ct);
        }
    }

    private static string Status(JobView job) => job.Status switch
    {
        JobStatus.Running => $"running, attempt {JobTable.Attempt(job)}",
        // A queued job's attempt is the one it runs next (the broker counts it when it re-queues).
        JobStatus.Queued when Retrying(job) => $"queued for attempt {job.Attempt}/{job.MaxAttempts} after {Output.Time(job.RunAfter)}" +
                                                 (job.Error is { Length: > 0 } error ? $" ({error})" : ""),
        JobStatus.Failed => $"failed: {job.Error ?? "no error recorded"}",
        JobStatus.Cancelled when job.CancelledBy is { } by => $"cancelled by {by}",
        _ => Output.Cell(job.Status),
    };

    private static bool Retrying(JobView job) => job is { Status: JobStatus.Queued, Attempt: > 0 };

    private static string Step(JobStepView step) =>
        $"step {step.Name} {Output.Cell(step.Status)}" + (step.Attempt > 1 ? $" (attempt {step.Attempt})" : "") +
        (step.Message is { Length: > 0 } message ? ": " + message : "");
}
