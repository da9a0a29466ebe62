using System.CommandLine;
using System.Globalization;
using Ingot.Client;
using Ingot.Commands.Jobs;

namespace Ingot.Commands.Events;

/// <summary>`ingot events [--type] [--machine] [--batch] [--team] [--user] [--since] [--follow]`: what happened, from the
/// server's event log (docs/events.md); --follow keeps reading the live stream, resuming after a dropped connection.</summary>
internal static class EventsCommand
{
    public static Command Create(CliContext context)
    {
        var type = new Option<string?>("--type") { Description = "Event types or patterns, comma-separated: job.failed,batch.*." };
        var machine = new Option<string?>("--machine") { Description = "Only events about this machine (hostname, hardware name or id)." };
        var batch = new Option<long?>("--batch") { Description = "Only this batch's events and its jobs'." };
        var team = new Option<string?>("--team") { Description = "Only events of this team's machines and requests." };
        var user = new Option<string?>("--user") { Description = "Only events of this user's work." };
        var since = new Option<string?>("--since") { Description = "From this time (2026-12-01T00:00Z) or this long ago (1h, 7d); default 1h." };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing events as they happen, until interrupted." };
        return new Command("events", "What happened: jobs, batches, requests, pools, machine states and BMC health, oldest first; --follow for the live stream.")
        {
            type, machine, batch, team, user, since, follow,
        }.Set(context, async (s, parse, ct) =>
        {
            long? machineId = parse.GetValue(machine) is { } m
                ? long.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : (await s.Client.GetMachineAsync(m, ct)).Id
                : null;
            var query = new EventQuery(parse.GetValue(type), Machine: machineId, Batch: parse.GetValue(batch), Team: parse.GetValue(team),
                User: parse.GetValue(user), Since: ListCommand.Since(parse.GetValue(since) ?? "1h", DateTimeOffset.UtcNow), Limit: 1000);
            long? last = null;
            while (true)
            {
                var page = await s.Client.ListEventsAsync(query with { After = last }, ct);
                foreach (var e in page.Items) await PrintAsync(s, e, ct);
                if (page.Items.Count > 0) last = page.Items[^1].Id;
                if (page.Next is null) break;
            }
            if (!parse.GetValue(follow)) return 0;
            // From the last event listed, or from now when there was none.
            var live = last is null ? query with { Since = null } : query with { Since = null, After = last };
            try
            {
                await foreach (var e in s.Client.StreamEventsAsync(live, ct)) await PrintAsync(s, e, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            return 0;
        });
    }

    /// <summary>A line per event: with -o json, the event's JSON on one line (JSON Lines), so a pipe reads each as it comes.</summary>
    private static Task PrintAsync(Session s, EventView e, CancellationToken ct) => s.Output.IsJson
        ? s.Output.LineAsync(System.Text.Json.JsonSerializer.Serialize(e, IngotJson.Options), ct)
        : s.Output.LineAsync($"{e.At.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z  {e.Id,8}  {e.Type,-24} {e.Summary}", ct);
}
