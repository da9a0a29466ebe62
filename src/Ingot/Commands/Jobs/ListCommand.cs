using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Ingot.Client;

namespace Ingot.Commands.Jobs;

/// <summary>`ingot jobs list`: jobs newest first, a page at a time.</summary>
internal static partial class ListCommand
{
    public static Command Create(CliContext context)
    {
        // Status and action are not restricted here: the server's lists are the authority, and its 422 names them.
        var machine = new Option<string?>("--machine") { Description = "On this machine (id, hardware_name or hostname)." };
        var status = new Option<string?>("--status") { Description = "In this status: " + string.Join(", ", Enum.GetValues<JobStatus>().Select(s => Output.Cell(s))) + "." };
        var action = new Option<string?>("--action") { Description = "Of this action, e.g. power_on, power_cycle, reboot, set_boot_device, commission." };
        var user = new Option<string?>("--user") { Description = "Submitted by this user." };
        var batch = new Option<long?>("--batch") { Description = "Part of this batch." };
        var since = new Option<string?>("--since")
        {
            Description = "Created at or after this time: ISO 8601 (2025-01-31T12:00Z) or an age such as 90s, 30m, 2h, 7d.",
            HelpName = "time",
        };
        var limit = new Option<int?>("--limit") { Description = "At most this many per page (the server caps it)." };
        var after = new Option<string?>("--after") { Description = "Continue from the cursor a previous page printed." };

        var command = new Command("list", "List jobs matching every filter given, newest first, a page at a time.")
        {
            machine, status, action, user, batch, since, limit, after,
        };
        return command.Set(context, async (s, parse, ct) =>
        {
            var query = new JobQuery(parse.GetValue(machine), parse.GetValue(status), parse.GetValue(action), parse.GetValue(user),
                parse.GetValue(batch), Since(parse.GetValue(since), DateTimeOffset.UtcNow), parse.GetValue(limit), parse.GetValue(after));
            var page = await s.Client.ListJobsAsync(query, ct);
            await s.Output.WriteAsync(page, p => JobTable.Rows(p.Items), ct);
            if (!s.Output.IsJson && page.Next is { } next) await s.Output.NoteAsync($"next page: --after {next}", ct);
            return 0;
        });
    }

    [GeneratedRegex(@"^(\d+)([smhd])$")]
    private static partial Regex Age();

    /// <summary>An absolute time, or an age counted back from <paramref name="now"/>: "the last hour" is what one
    /// usually means, and typing today's date in ISO 8601 for it is a chore.</summary>
    /// <exception cref="UsageException">Neither.</exception>
    public static DateTimeOffset? Since(string? text, DateTimeOffset now, string option = "--since") => Moment(text, now, -1, option);

    /// <summary>An absolute time, or a span counted on from <paramref name="now"/> ("7d": a week from now).</summary>
    public static DateTimeOffset? Until(string? text, DateTimeOffset now, string option) => Moment(text, now, +1, option);

    private static DateTimeOffset? Moment(string? text, DateTimeOffset now, int direction, string option)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (Age().Match(text.Trim()) is { Success: true } m)
        {
            var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            return now + direction * m.Groups[2].Value switch
            {
                "s" => TimeSpan.FromSeconds(n),
                "m" => TimeSpan.FromMinutes(n),
                "h" => TimeSpan.FromHours(n),
                _ => TimeSpan.FromDays(n),
            };
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)) return at;
        throw new UsageException($"{option} '{text}' is neither a time (2025-01-31T12:00Z) nor a span (90s, 30m, 2h, 7d).");
    }
}
