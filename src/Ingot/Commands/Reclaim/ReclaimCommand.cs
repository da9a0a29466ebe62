using System.CommandLine;
using Ingot.Client;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Ingot.Commands.Reclaim;

/// <summary>`ingot reclaim --dry-run | --expect N | --yes`: machines nobody is using, found by rules and recycled back to
/// available as batches (docs/reclaim.md). A run wipes disks, in-use machines among them, so it needs the count the dry
/// run showed (or --yes): what runs is what was looked at.</summary>
internal static class ReclaimCommand
{
    public static Command Create(CliContext context)
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "List what a run would recycle now, and what it would leave, with why; change nothing." };
        var rules = new Option<string[]>("--rule")
        {
            Description = $"Only this rule (repeatable): {string.Join(", ", ReclaimRules.All)}. Default: all.", AllowMultipleArgumentsPerToken = false,
        };
        var site = new Option<string?>("--site") { Description = "Only machines in this site." };
        var defunct = new Option<int?>("--defunct-days") { Description = "defunct: broken with no change or job for this many days (default 7)." };
        var unused = new Option<int?>("--unused-days") { Description = "never_installed: allocated with no job for this many days (default 3)." };
        var expect = new Option<int?>("--expect") { Description = "Run, if the rules still select exactly this many machines (the dry run's count)." };
        var yes = new Option<bool>("--yes") { Description = "Run whatever the rules select now, without a count to check." };
        return new Command("reclaim", "Find machines nobody is using (expired leases, roles without a team, never installed, defunct) and recycle them.")
        {
            dryRun, rules, site, defunct, unused, expect, yes,
        }.Set(context, async (s, parse, ct) =>
        {
            var ask = new ReclaimRunRequest(parse.GetValue(rules) is { Length: > 0 } r ? r : null, parse.GetValue(site), parse.GetValue(defunct),
                parse.GetValue(unused), parse.GetValue(expect));
            if (parse.GetValue(dryRun))
            {
                if (ask.Expect is not null || parse.GetValue(yes)) throw new UsageException("--dry-run changes nothing: leave out --expect and --yes.");
                await s.Output.WriteAsync(await s.Client.ReclaimReportAsync(ask, ct), Report, ct);
                return 0;
            }
            if (ask.Expect is null && !parse.GetValue(yes))
                throw new UsageException("A run recycles (wipes) machines: look first with --dry-run, then run with --expect N (its count) or --yes.");
            var run = await s.Client.ReclaimAsync(ask, ct);
            await s.Output.WriteAsync(run, Ran, ct);
            return 0;
        });
    }

    private static IRenderable Report(ReclaimReport r)
    {
        var machines = Output.Table("HOST", "STATE", "SITE", "ROLE", "TEAM", "RULE", "WHY");
        foreach (var m in r.Machines) Output.Row(machines, m.Hostname ?? m.HardwareName, m.State, m.Site, m.Role, m.Team, m.Rule, m.Reason);
        var parts = new List<IRenderable>
        {
            new Text($"{r.Machines.Count} machine(s) to recycle ({string.Join(", ", r.Counts.Select(c => $"{c.Key} {c.Value}"))}); " +
                     $"defunct after {r.DefunctDays} days, never installed after {r.UnusedDays}{(r.Site is null ? "" : $", site {r.Site}")}."),
        };
        if (r.Machines.Count > 0) parts.Add(machines);
        if (r.Skipped.Count > 0)
        {
            var skipped = Output.Table("HOST", "RULE", "LEFT BECAUSE");
            foreach (var k in r.Skipped) Output.Row(skipped, k.Host, k.Rule, k.Reason);
            parts.Add(new Text($"{r.Skipped.Count} selected but left:"));
            parts.Add(skipped);
        }
        return new Rows(parts);
    }

    private static IRenderable Ran(ReclaimRun run) => new Rows(
        Report(run.Report),
        new Text(run.Batches.Count == 0 ? "Nothing to recycle."
            : $"Recycling as batch(es) {string.Join(", ", run.Batches.Select(b => $"{b.Id} ({b.Hosts} hosts)"))}: ingot batch watch {run.Batches[0].Id}"));
}
