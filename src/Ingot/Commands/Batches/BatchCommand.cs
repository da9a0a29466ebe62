using System.CommandLine;
using Ingot.Client;

namespace Ingot.Commands.Batches;

/// <summary>`ingot batch …`: one action over many machines in one request (the server admits them all or none),
/// followed as a whole rather than job by job.</summary>
internal static class BatchCommand
{
    /// <summary>The actions a batch takes, for help texts; the server's list is the authority (its 422 names them).</summary>
    public static readonly string[] Actions =
    [
        JobActions.Reimage, JobActions.Reboot, JobActions.PowerOn, JobActions.PowerOff, JobActions.PowerCycle,
        JobActions.WipeDisks, JobActions.Recycle, JobActions.Decommission,
    ];

    public static Command Create(CliContext context) => new("batch", "Batches: one action over many machines, submitted at once; list, show, hosts, watch, cancel, stats.")
    {
        SubmitCommand.Create(context),
        ListCommand.Create(context),
        ShowCommand.Create(context),
        HostsCommand.Create(context),
        WatchCommand.Create(context),
        CancelCommand.Create(context),
        StatsCommand.Create(context),
    };

    /// <summary>The ID argument of the verbs that take one batch.</summary>
    public static Argument<long> IdArgument(string description) => new("id") { Description = description };

    /// <summary>"queued, running, succeeded, …" for --status help.</summary>
    public static string Names<T>() where T : struct, Enum => string.Join(", ", Enum.GetValues<T>().Select(v => Output.Cell(v)));
}
