namespace Ingot.Client;

/// <summary>The life of a provisioning request (docs/requests.md). <c>pending</c>: nothing could be allocated yet (short of
/// capacity); <c>installing</c>: machines are being installed; <c>fulfilled</c>: every machine asked for is in use;
/// <c>partially_fulfilled</c>: some are, and the request waits for capacity for the rest; <c>failed</c>: it ran out of
/// replacements; <c>cancelled</c>: its machines are released; <c>expired</c>: its lease ran out and its machines are
/// released.</summary>
public enum RequestStatus { Pending, Allocating, Installing, Fulfilled, PartiallyFulfilled, Failed, Cancelled, Expired }

/// <summary>A new end for a request's lease (<c>ingot lease extend</c>); null: the machines do not expire.</summary>
public sealed record LeaseExtend(DateTimeOffset? ExpiresAt);

/// <summary>"count machines of SKU in site for role, installed with image". <c>hostname_template</c>: <c>{role}</c>,
/// <c>{site}</c>, <c>{domain}</c>, <c>{random}</c> (six letters and digits) and <c>{n}</c> (the machine's number in the
/// request); default <c>{role}-{random}.{site}.{domain}</c>. <c>spread</c> (default true): no rack holds more than its
/// share (count ÷ racks of the site with such machines, rounded up); false lets machines stack in a rack.</summary>
public sealed record RequestCreate(string? Role, string? Site, string? Sku, int? Count, string? Image, string? HostnameTemplate = null,
                                   bool? Spread = null, DateTimeOffset? ExpiresAt = null);

/// <summary>A machine a request took: <c>installing</c>, <c>in_use</c>, <c>failed</c> (its installs failed; left
/// <c>broken</c> with its evidence and replaced), <c>releasing</c> or <c>released</c> (the request was cancelled), or
/// <c>returned</c>: it left a request after its install (recycled by hand, reclaimed, broken later); a request counts it
/// as delivered and does not replace it, where a pool does.</summary>
public sealed record RequestMachineView(long MachineId, string HardwareName, string Hostname, string? Rack, string Status, long? JobId,
                                        string? Reason, DateTimeOffset UpdatedAt);

/// <summary><c>short_by</c>: machines still missing, with <c>short_reason</c> saying why while it is not zero.
/// <c>machines</c>: a line per machine in one request's view; empty in listings, which carry the counts.</summary>
public sealed record RequestView(long Id, string Role, string Team, string Site, string Sku, int Count, string Image, string HostnameTemplate,
                                 bool Spread, DateTimeOffset? ExpiresAt, string User, RequestStatus Status, int InUse, int Installing, int ShortBy,
                                 string? ShortReason, int Replacements, string? CancelledBy, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
                                 IReadOnlyList<RequestMachineView> Machines);

public sealed record RequestQuery(string? Status = null, string? Role = null, string? User = null, int? Limit = null, string? After = null);

/// <summary>A standing count of machines for a role, SKU and site, kept true by the server: a member that breaks is
/// replaced, a resize adds or drains members (docs/requests.md). Fields as a request's; <c>desired</c> is its count.</summary>
public sealed record PoolCreate(string? Role, string? Site, string? Sku, int? Desired, string? Image, string? HostnameTemplate = null, bool? Spread = null);

public sealed record PoolResize(int? Desired);

/// <summary><c>steady</c>: every desired member in use; <c>installing</c>; <c>short</c>: fewer than desired and waiting for
/// capacity; <c>failed</c>: it stopped replacing after too many failed installs in a row (a resize tries again);
/// <c>deleted</c>: its members are being given back or are.</summary>
public enum PoolStatus { Steady, Installing, Short, Failed, Deleted }

public sealed record PoolView(long Id, string Role, string Team, string Site, string Sku, int Desired, string Image, string HostnameTemplate, bool Spread,
                              string User, PoolStatus Status, int Healthy, int Installing, int ShortBy, string? ShortReason, int Replacements,
                              string? DeletedBy, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<RequestMachineView> Machines)
{
    /// <summary>A pool as the rows of requests show it (a pool is stored as a request that never ends).</summary>
    public static PoolStatus StatusOf(RequestStatus status) => status switch
    {
        RequestStatus.Fulfilled => PoolStatus.Steady,
        RequestStatus.Installing or RequestStatus.Allocating => PoolStatus.Installing,
        RequestStatus.Failed => PoolStatus.Failed,
        RequestStatus.Cancelled => PoolStatus.Deleted,
        _ => PoolStatus.Short,
    };

    public static PoolView From(RequestView r) => new(r.Id, r.Role, r.Team, r.Site, r.Sku, r.Count, r.Image, r.HostnameTemplate, r.Spread, r.User,
        StatusOf(r.Status), r.InUse, r.Installing, r.ShortBy, r.ShortReason, r.Replacements, r.CancelledBy, r.CreatedAt, r.UpdatedAt, r.Machines);
}
