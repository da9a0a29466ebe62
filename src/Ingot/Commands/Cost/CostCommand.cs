using System.CommandLine;
using System.Globalization;
using Ingot.Client;
using Ingot.Commands.Jobs;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Ingot.Commands.Cost;

/// <summary>`ingot cost [--team] [--role] [--since] [--until]` and `ingot cost waste`: machine-hours and what they cost
/// by team and role, and the held machines nobody uses (docs/cost.md).</summary>
internal static class CostCommand
{
    public static Command Create(CliContext context)
    {
        var team = new Option<string?>("--team") { Description = "Only this team's machines." };
        var role = new Option<string?>("--role") { Description = "Only this role's machines." };
        var since = new Option<string?>("--since") { Description = "From this time (2026-11-01T00:00Z) or this long ago (7d); default 30 days before --until." };
        var until = new Option<string?>("--until") { Description = "Up to this time, or this long ago (1d); default now." };
        var command = new Command("cost", "Machine-hours and their cost by team, role and SKU, from the state history; `waste` for idle machines.")
        {
            team, role, since, until, Waste(context),
        };
        return command.Set(context, async (s, parse, ct) =>
        {
            var now = DateTimeOffset.UtcNow;
            var to = ListCommand.Since(parse.GetValue(until), now, "--until"); // "1d": until a day ago
            var from = ListCommand.Since(parse.GetValue(since), to ?? now);
            var report = await s.Client.GetCostAsync(new CostQuery(parse.GetValue(team), parse.GetValue(role), from, to), ct);
            await s.Output.WriteAsync(report, Report, ct);
            return 0;
        });
    }

    private static Command Waste(CliContext context)
    {
        var team = new Option<string?>("--team") { Description = "Only this team's machines." };
        var site = new Option<string?>("--site") { Description = "Only machines in this site." };
        var days = new Option<int?>("--idle-days") { Description = "Days without a job or state change that make a held machine idle (server default: 14)." };
        return new Command("waste", "Machines held but unused: a lease run out, or no job for the idle days and in no pool.") { team, site, days }
            .Set(context, async (s, parse, ct) =>
            {
                var report = await s.Client.GetWasteAsync(new WasteQuery(parse.GetValue(team), parse.GetValue(site), parse.GetValue(days)), ct);
                await s.Output.WriteAsync(report, WasteTable, ct);
                return 0;
            });
    }

    private static IRenderable Report(CostReport r)
    {
        var teams = Output.Table("TEAM", "MACHINE-HOURS", $"COST ({r.Currency})");
        foreach (var t in r.Teams) Output.Row(teams, t.Team ?? "(no team)", Hours(t.MachineHours), t.Cost);
        var lines = Output.Table("TEAM", "ROLE", "SKU", "MACHINE-HOURS", "PRICE/H", $"COST ({r.Currency})");
        foreach (var l in r.Lines) Output.Row(lines, l.Team ?? "(no team)", l.Role ?? "(no role)", l.Sku, Hours(l.MachineHours), l.HourlyPrice, l.Cost);
        var parts = new List<IRenderable>
        {
            new Text($"{Output.Cell(r.Since)} → {Output.Cell(r.Until)}: {Hours(r.MachineHours)} machine-hours, {r.Cost.ToString(CultureInfo.InvariantCulture)} {r.Currency}."),
            teams, lines,
        };
        if (r.UnpricedSkus.Count > 0) parts.Add(new Text($"No price (hours counted at no cost): {string.Join(", ", r.UnpricedSkus)}; set one with ingot skus update NAME --hourly-price P."));
        return new Rows(parts);
    }

    private static IRenderable WasteTable(WasteReport r)
    {
        var table = Output.Table("HOST", "STATE", "SITE", "TEAM", "ROLE", "SKU", "IDLE SINCE", "PRICE/H", $"WASTED ({r.Currency})", "WHY");
        foreach (var m in r.Machines)
            Output.Row(table, m.Hostname ?? m.HardwareName, m.State, m.Site, m.Team, m.Role, m.Sku, m.IdleSince, m.HourlyPrice, m.Wasted, m.Reason);
        return new Rows(
            new Text($"{r.Machines.Count} idle machine(s) (no job for {r.IdleDays} days, or a lease run out): " +
                     $"{r.HourlyWaste.ToString(CultureInfo.InvariantCulture)} {r.Currency} an hour, {r.Wasted.ToString(CultureInfo.InvariantCulture)} {r.Currency} so far."),
            table);
    }

    private static string Hours(double hours) => hours.ToString("0.##", CultureInfo.InvariantCulture);
}
