using System.CommandLine;
using Ingot.Client;

namespace Ingot.Commands.Jobs;

/// <summary>`ingot jobs cancel ID…`: stop jobs. Each is asked on its own, so one the server refuses (ended
/// already, someone else's) does not keep the others running.</summary>
internal static class CancelCommand
{
    public static Command Create(CliContext context)
    {
        var ids = JobsCommand.JobIdsArgument("The jobs to cancel.");
        return new Command("cancel", "Cancel jobs: a queued one at once, a running one at its next step boundary. " +
                                     "Exits 1 if the server refused any.") { ids }
            .Set(context, async (s, parse, ct) =>
            {
                var done = new List<JobView>();
                var exit = 0;
                foreach (var id in parse.GetValue(ids)!)
                {
                    try
                    {
                        var job = await s.Client.CancelJobAsync(id, ct);
                        done.Add(job);
                        if (!s.Output.IsJson) await s.Output.LineAsync(Sentence(job), ct);
                    }
                    catch (IngotApiException e)
                    {
                        await s.Output.NoteAsync(Failures.Describe(e.Problem, s.Connection, $"job {id}"), ct);
                        exit = Failures.ServerError;
                    }
                }
                if (s.Output.IsJson) await s.Output.JsonAsync(done, ct);
                return exit;
            });
    }

    private static string Sentence(JobView job) => job.Status == JobStatus.Cancelled
        ? $"job {job.Id}: cancelled."
        : $"job {job.Id}: cancel requested; it stops at its next step boundary ('ingot jobs watch {job.Id}' to see it end).";
}
