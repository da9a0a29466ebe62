using System.Collections.Concurrent;

namespace Ingot.Server.Notifications;

/// <summary>This node's circuit breaker per receiving endpoint (a URL's origin, an SMTP server): after
/// <see cref="NotificationOptions.BreakerThreshold"/> failures in a row the endpoint is left alone for
/// <see cref="NotificationOptions.BreakerOpen"/>, for every subscription that names it, so that one dead receiver
/// does not eat the deliveries' time; the first attempt after that is the trial. In memory: a node that restarts
/// tries again, which is the most a breaker should cost.</summary>
public sealed class EndpointBreaker(NotificationOptions options, TimeProvider clock)
{
    private sealed record State(int Failures, DateTimeOffset? OpenUntil);

    private readonly ConcurrentDictionary<string, State> endpoints = new(StringComparer.Ordinal);

    /// <summary>When the endpoint may be tried again, or null when it may now.</summary>
    public DateTimeOffset? OpenUntil(string endpoint) =>
        endpoints.TryGetValue(endpoint, out var s) && s.OpenUntil is { } until && until > clock.GetUtcNow() ? until : null;

    public void Succeeded(string endpoint) => endpoints.TryRemove(endpoint, out _);

    public void Failed(string endpoint) => endpoints.AddOrUpdate(endpoint, _ => Next(0), (_, s) => Next(s.Failures));

    private State Next(int failures) => failures + 1 >= options.BreakerThreshold
        ? new State(failures + 1, clock.GetUtcNow() + options.BreakerOpen)
        : new State(failures + 1, null);
}
