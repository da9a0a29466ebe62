using System.CommandLine;

namespace Ingot.Commands.Jobs;

/// <summary>`ingot jobs …`: the work the server's broker runs on machines (power, boot device, lifecycle
/// actions), submitted by verbs such as `ingot power` and followed here.</summary>
internal static class JobsCommand
{
    public static Command Create(CliContext context) => new("jobs", "Jobs the server runs on machines: list, show, watch, cancel, stats; the broker's load.")
    {
        ListCommand.Create(context),
        StatsCommand.Create(context),
        ShowCommand.Create(context),
        WatchCommand.Create(context),
        CancelCommand.Create(context),
        BrokerCommand.Create(context),
    };

    /// <summary>The ID… argument of the verbs that take several jobs.</summary>
    public static Argument<long[]> JobIdsArgument(string description) => new("id")
    {
        Description = description,
        Arity = ArgumentArity.OneOrMore,
    };
}
