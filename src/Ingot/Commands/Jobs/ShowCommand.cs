using System.CommandLine;

namespace Ingot.Commands.Jobs;

/// <summary>`ingot jobs show ID`: one job, every field, and its steps.</summary>
internal static class ShowCommand
{
    public static Command Create(CliContext context)
    {
        var id = new Argument<long>("id") { Description = "The job's id (printed when it was submitted, and by 'ingot jobs list')." };
        return new Command("show", "Show one job: action, params, machine, status, attempts, error, result, and each step.") { id }
            .Set(context, async (s, parse, ct) =>
            {
                await s.Output.WriteAsync(await s.Client.GetJobAsync(parse.GetValue(id), ct), JobTable.Details, ct);
                return 0;
            });
    }
}
