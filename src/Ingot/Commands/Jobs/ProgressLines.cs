using Ingot.Client;

namespace Ingot.Commands.Jobs;

/// <summary>Job progress as plain lines, one per change of a job's status or of a step's, for stdout that is
/// not a terminal (a pipe, a log, a test): nothing is redrawn, and each line names its job.</summary>
internal sealed class ProgressLines(Output output)
{
    private readonly Dictionary<long, (JobStatus Status, int Attempt)> jobs = [];
    private readonly Dictionary<(long Job, string Step), (StepStatus Status, int Attempt, string? Message)> steps = [];

    public async Task ReportAsync(IReadOnlyList<JobView> round, CancellationToken ct)
    {
        foreach (var job in round)
        {
            var prefix = $"job {job.Id} ({job.Action} on {JobTable.Host(job.Target)}): ";
            var status = (job.Status, job.Attempt);
            var statusChanged = !jobs.TryGetValue(job.Id, out var seen) || seen != status;
            jobs[job.Id] = status;
            // A job that starts is announced before its steps; one that ends, after them.
            var ended = JobTable.Ended(job);
            if (statusChanged && !ended) await output.LineAsync(prefix + Status(job), ct);
            foreach (var step in job.Steps)
            {
                var state = (step.Status, step.Attempt, step.Message);
                // Pending steps are the plan, not progress; they show once they start (or are cancelled).
                if (step.Status == StepStatus.Pending || steps.GetValueOrDefault((job.Id, step.Name)) == state) continue;
                steps[(job.Id, step.Name)] = state;
                await output.LineAsync(prefix + Step(step), ct);
            }
            if (statusChanged && ended) await output.LineAsync(prefix + Status(job), ct);
        }
    }

    private static string Status(JobView job) => job.Status switch
    {
        JobStatus.Running => $"running, attempt {JobTable.Attempt(job)}",
        JobStatus.Queued when job.Attempt > 0 => $"queued for attempt {job.Attempt + 1}/{job.MaxAttempts} after {Output.Time(job.RunAfter)}",
        JobStatus.Failed => $"failed: {job.Error ?? "no error recorded"}",
        JobStatus.Cancelled when job.CancelledBy is { } by => $"cancelled by {by}",
        _ => Output.Cell(job.Status),
    };

    private static string Step(JobStepView step) =>
        $"step {step.Name} {Output.Cell(step.Status)}" + (step.Attempt > 1 ? $" (attempt {step.Attempt})" : "") +
        (step.Message is { Length: > 0 } message ? ": " + message : "");
}
