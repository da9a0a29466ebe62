namespace Ingot.Server.Tickets;

/// <summary>Triage tickets (INGOT_TICKETS_*: Hosting/ServerOptions).</summary>
public sealed record TicketOptions
{
    /// <summary>The team that fixes each site's hardware, by site name; "*" for every other site. A ticket of a site
    /// with no route (and no "*") is routed to no team: operators see it in the list.</summary>
    public IReadOnlyDictionary<string, string> Routes { get; init; } = new Dictionary<string, string>();

    /// <summary>How often the opener reads new failures from the event log.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(30);

    public string? RouteOf(string? site) =>
        site is not null && Routes.TryGetValue(site, out var team) ? team : Routes.GetValueOrDefault("*");
}
