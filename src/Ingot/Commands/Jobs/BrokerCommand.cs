using System.CommandLine;
using Ingot.Client;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Ingot.Commands.Jobs;

/// <summary>`ingot jobs broker`: why jobs wait — the limits the server runs them under, and each site's load.</summary>
internal static class BrokerCommand
{
    public static Command Create(CliContext context) =>
        new Command("broker", "Show the job broker's limits (as configured on the answering node) and the queued and running jobs per site.")
            .Set(context, async (s, parse, ct) =>
            {
                await s.Output.WriteAsync(await s.Client.GetBrokerStatusAsync(ct), Render, ct);
                return 0;
            });

    private static IRenderable Render(BrokerStatus b)
    {
        var parts = new List<IRenderable>
        {
            Output.Details(
                ("workers per node", b.WorkersPerNode), ("per-site limit", b.PerSiteLimit), ("max attempts", b.MaxAttempts),
                ("step retries", b.StepRetries), ("lease", Output.Cell(b.LeaseSeconds) + "s"), ("running", b.Running), ("queued", b.Queued)),
        };
        if (b.Sites.Count > 0)
        {
            var sites = Output.Table("SITE", "RUNNING", "QUEUED", "LIMIT");
            // A machine in no site still runs jobs; its load shows under "-".
            foreach (var site in b.Sites) Output.Row(sites, site.Site, site.Running, site.Queued, site.Limit);
            parts.Add(new Text(""));
            parts.Add(sites);
        }
        return new Rows(parts);
    }
}
