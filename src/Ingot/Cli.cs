using System.CommandLine;
using Ingot.Commands;
using Ingot.Commands.Bmc;
using Ingot.Commands.Demo;
using Ingot.Commands.Serve;
using Ingot.Commands.Sim;

namespace Ingot;

/// <summary>The `ingot` command tree: the server (serve) and the client verbs, which talk to a server
/// over HTTP through Ingot.Client.</summary>
public static class Cli
{
    public static RootCommand Build(CliContext context)
    {
        var root = new RootCommand("Ingot: self-service bare-metal fleet management.");
        root.Subcommands.Add(ServeCommand.Create(context));
        root.Subcommands.Add(DemoCommand.Create(context));
        // Direct to hardware (or its simulation): no Ingot server, no token.
        root.Subcommands.Add(SimCommand.Create(context));
        root.Subcommands.Add(BmcCommand.Create(context));
        foreach (var command in ClientCommands.All(context))
            root.Subcommands.Add(command);
        LeadingOptions.AddTo(root);
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken ct = default)
    {
        var parse = Build(context).Parse(args);
        return await parse.InvokeAsync(new InvocationConfiguration { Output = context.Out, Error = context.Error }, ct);
    }
}
