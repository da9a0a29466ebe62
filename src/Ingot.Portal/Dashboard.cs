using System.Globalization;
using Ingot.Client;

namespace Ingot.Portal;

/// <summary>What the dashboards page shows, read through the API as the signed-in user and folded here: per UTC day of
/// the window, the job statistics of the jobs queued that day (one stats call per day: the API computes them from its
/// histograms), the window's step durations, the fleet by site and state (counted searches), and the work queued and
/// running now. The page only renders; the browser test reads the same numbers from the API and compares.</summary>
public sealed class Dashboard
{
    public const int MaxDays = 31;

    /// <summary>Ways the success rate is split.</summary>
    public static readonly string[] Splits = ["action", "sku", "site"];

    public required IReadOnlyList<DateOnly> Days { get; init; }
    public required string By { get; init; }

    /// <summary>Per day (index matching <see cref="Days"/>), the day's groups.</summary>
    public required IReadOnlyList<IReadOnlyList<JobGroupStats>> PerDay { get; init; }

    public required IReadOnlyList<StepDurationStats> Steps { get; init; }
    public required IReadOnlyList<string> Sites { get; init; }

    /// <summary>Machines per (site, state); a site with none in a state is absent.</summary>
    public required IReadOnlyDictionary<(string Site, MachineState State), long> Fleet { get; init; }

    public required IReadOnlyList<ActivityRow> Now { get; init; }

    /// <summary>The name of a group under the chosen split ("(no SKU)", "(no site)" where the machine had none).</summary>
    public string KeyOf(JobGroupStats g) => By switch { "sku" => g.Sku ?? "(no SKU)", "site" => g.Site ?? NoSite, _ => g.Action };

    /// <summary>The split's values seen in the window, sorted.</summary>
    public IReadOnlyList<string> Keys => [.. PerDay.SelectMany(d => d).Select(KeyOf).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>Of the jobs of that day and key that ended succeeded or failed, the share that succeeded; null with none.</summary>
    public double? SuccessRate(int day, string key)
    {
        var groups = PerDay[day].Where(g => KeyOf(g) == key).ToList();
        var ended = groups.Sum(g => g.Succeeded + g.Failed);
        return ended == 0 ? null : (double)groups.Sum(g => g.Succeeded) / ended;
    }

    public long Count(int day, Func<JobGroupStats, long> outcome) => PerDay[day].Sum(outcome);

    /// <summary>The day's slowest group's queue lag percentile (percentiles of groups do not add up; the worst one is
    /// what an operator looks for).</summary>
    public double? WorstLag(int day, Func<Percentiles, double> pick) =>
        PerDay[day].Where(g => g.QueueLag is not null).Select(g => (double?)pick(g.QueueLag!)).Max();

    public long FleetCount(string site, MachineState state) => Fleet.GetValueOrDefault((site, state));

    public static string Label(DateOnly day) => day.ToString("MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Reads the dashboards' numbers as the client's user; the API's refusals come out as its exceptions.</summary>
    public static async Task<Dashboard> LoadAsync(IngotClient api, int days, string by, DateTimeOffset now, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var dayList = Enumerable.Range(0, days).Select(i => today.AddDays(i - days + 1)).ToList();
        var perDay = new List<IReadOnlyList<JobGroupStats>>();
        foreach (var day in dayList) perDay.Add((await api.GetJobStatsAsync(Start(day), Start(day.AddDays(1)), ct: ct)).Groups);
        var window = await api.GetJobStatsAsync(Start(dayList[0]), Start(today.AddDays(1)), steps: true, ct: ct);
        var sites = await api.ListSitesAsync(ct);
        var fleet = new Dictionary<(string, MachineState), long>();
        var names = sites.Select(s => s.Name).ToList();
        foreach (var state in Enum.GetValues<MachineState>())
        {
            var all = await CountAsync(api, null, state, ct);
            foreach (var site in names)
                if (await CountAsync(api, site, state, ct) is > 0 and var n) { fleet[(site, state)] = n; all -= n; }
            // The search has no "without a site" filter: those are the rest.
            if (all > 0) fleet[(NoSite, state)] = all;
        }
        if (fleet.Keys.Any(k => k.Item1 == NoSite)) names.Add(NoSite);
        return new Dashboard
        {
            Days = dayList, By = by, PerDay = perDay, Steps = window.Steps, Sites = names, Fleet = fleet,
            Now = await api.GetActivityAsync(ct),
        };
    }

    /// <summary>The fleet's row for machines that have no site yet.</summary>
    public const string NoSite = "(no site)";

    private static async Task<long> CountAsync(IngotClient api, string? site, MachineState state, CancellationToken ct) =>
        (await api.SearchMachinesAsync(new MachineQuery(Site: site, State: WireName.Of(state), Limit: 1, Count: true), ct)).Total ?? 0;

    private static DateTimeOffset Start(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}
