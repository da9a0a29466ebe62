namespace Ingot.Server.Api;

/// <summary>Who may do what: the tables docs/authorization.md shows (AuthorizationTableTests holds them together).
/// <see cref="Endpoints"/> has a row for every endpoint the server maps, enforced once for all of them
/// (SelfService/EndpointPermissions; an endpoint without a row is refused); <see cref="MachineActions"/> says who may
/// run each job action on a machine. Admins and operators may do everything there; <see cref="Who.Team"/> adds the
/// members of the team that owns the machine's role. A machine without a role is the free pool, which only operators
/// manage; viewers act on nothing.</summary>
public static class Permissions
{
    public enum Who { Team, Operator }

    /// <summary>Who may call an endpoint. Anonymous: anyone, without a token. Read: anyone signed in. Self: anyone signed
    /// in, on their own things (their tokens; their jobs and batches, their team's), which the endpoint checks. Owner: the
    /// machine's owner, by <see cref="MachineActions"/>. Operator: operators of every site and admins. Admin: admins.
    /// AdminOrTeam: admins, and a team's members for that team's service accounts (the endpoint checks). Team: the members
    /// of the team that owns the role named in the body, and operators of the site it names (the endpoint checks).</summary>
    public enum Access { Anonymous, Read, Self, Owner, Operator, Admin, AdminOrTeam, Team }

    /// <summary>An endpoint as "METHOD /route" (route constraints dropped), who may call it, and what calling it does, in
    /// the words its refusal uses ("Creating a site needs an operator…").</summary>
    public sealed record EndpointRow(string Endpoint, Access Who, string What);

    public static IReadOnlyList<EndpointRow> Endpoints { get; } =
    [
        new("GET /healthz", Access.Anonymous, "Asking whether the server is alive"),
        new("GET /readyz", Access.Anonymous, "Asking whether the server is ready"),
        new("GET /boot/boot.ipxe", Access.Anonymous, "Fetching the first iPXE script"),
        new("GET /boot/ipxe", Access.Anonymous, "Fetching a machine's boot script"),
        new("POST /boot/events", Access.Anonymous, "Reporting an installer's progress (with the attempt's boot token)"),
        new("POST /boot/discovery", Access.Anonymous, "Reporting a racked machine's hardware"),
        new("GET /api/v1/login", Access.Anonymous, "Asking which sign-ins this server offers"),
        new("POST /api/v1/login/ldap", Access.Anonymous, "Signing in with the directory's user and password"),
        new("GET /openapi/{documentName}.json", Access.Read, "Reading the API's description"),
        new("GET /metrics", Access.Read, "Scraping the server's metrics"),
        new("POST /api/v1/discovery", Access.Read, "The retired discovery address (410 Gone)"),

        new("GET /api/v1/sites", Access.Read, "Listing sites"),
        new("GET /api/v1/sites/{name}", Access.Read, "Reading a site"),
        new("POST /api/v1/sites", Access.Operator, "Creating a site"),
        new("PATCH /api/v1/sites/{name}", Access.Operator, "Changing a site"),
        new("DELETE /api/v1/sites/{name}", Access.Operator, "Deleting a site"),
        new("GET /api/v1/racks", Access.Read, "Listing racks"),
        new("GET /api/v1/racks/{id}", Access.Read, "Reading a rack"),
        new("POST /api/v1/racks", Access.Operator, "Creating a rack"),
        new("DELETE /api/v1/racks/{id}", Access.Operator, "Deleting a rack"),
        new("GET /api/v1/skus", Access.Read, "Listing SKUs"),
        new("GET /api/v1/skus/{name}", Access.Read, "Reading a SKU"),
        new("POST /api/v1/skus", Access.Operator, "Creating a SKU"),
        new("PATCH /api/v1/skus/{name}", Access.Operator, "Changing a SKU"),
        new("DELETE /api/v1/skus/{name}", Access.Operator, "Deleting a SKU"),
        new("GET /api/v1/roles", Access.Read, "Listing roles"),
        new("GET /api/v1/roles/{name}", Access.Read, "Reading a role"),
        new("POST /api/v1/roles", Access.Operator, "Creating a role"),
        new("PATCH /api/v1/roles/{name}", Access.Operator, "Changing a role"),
        new("DELETE /api/v1/roles/{name}", Access.Operator, "Deleting a role"),
        new("GET /api/v1/images", Access.Read, "Listing images"),
        new("GET /api/v1/images/{name}", Access.Read, "Reading an image"),
        new("POST /api/v1/images", Access.Operator, "Adding an image"),
        new("DELETE /api/v1/images/{name}", Access.Operator, "Deleting an image"),

        new("GET /api/v1/machines", Access.Read, "Searching machines"),
        new("GET /api/v1/machines/{id}", Access.Read, "Reading a machine"),
        new("GET /api/v1/machines/{id}/history", Access.Read, "Reading a machine's history"),
        new("GET /api/v1/machines/{id}/bmc-health", Access.Read, "Reading a machine's BMC health history"),
        new("POST /api/v1/machines", Access.Operator, "Adding a machine"),
        new("PATCH /api/v1/machines/{id}", Access.Operator, "Changing a machine"),
        new("DELETE /api/v1/machines/{id}", Access.Operator, "Deleting a machine"),
        new("POST /api/v1/machines/{id}/transitions", Access.Operator, "Changing a machine's state by hand"),
        new("POST /api/v1/machines/{id}/maintenance", Access.Operator, "Changing maintenance"),
        new("POST /api/v1/machines/import", Access.Operator, "Importing machines"),
        new("GET /api/v1/machines/{id}/actions", Access.Read, "Reading which actions one may take on a machine"),
        new("POST /api/v1/machines/{id}/jobs", Access.Owner, "Submitting a job on a machine"),

        new("GET /api/v1/jobs", Access.Read, "Listing jobs"),
        new("GET /api/v1/jobs/broker", Access.Read, "Reading the broker's state"),
        new("GET /api/v1/jobs/stats", Access.Read, "Reading job statistics"),
        new("GET /api/v1/jobs/{id}", Access.Read, "Reading a job"),
        new("POST /api/v1/jobs/{id}/cancel", Access.Self, "Cancelling a job"),
        new("GET /api/v1/batches", Access.Read, "Listing batches"),
        new("GET /api/v1/batches/stats", Access.Read, "Reading batch statistics"),
        new("GET /api/v1/batches/{id}", Access.Read, "Reading a batch"),
        new("GET /api/v1/batches/{id}/hosts", Access.Read, "Reading a batch's hosts"),
        new("POST /api/v1/batches", Access.Owner, "Submitting a batch"),
        new("POST /api/v1/batches/{id}/cancel", Access.Self, "Cancelling a batch"),
        new("GET /api/v1/activity", Access.Read, "Reading what is running"),
        new("GET /api/v1/requests", Access.Read, "Listing provisioning requests"),
        new("GET /api/v1/requests/{id}", Access.Read, "Reading a provisioning request"),
        new("POST /api/v1/requests", Access.Team, "Requesting machines for a role"),
        new("POST /api/v1/requests/{id}/cancel", Access.Self, "Cancelling a provisioning request"),
        new("PATCH /api/v1/requests/{id}/lease", Access.Self, "Extending a provisioning request's lease"),
        new("GET /api/v1/pools", Access.Read, "Listing pools"),
        new("GET /api/v1/pools/{id}", Access.Read, "Reading a pool"),
        new("POST /api/v1/pools", Access.Team, "Creating a pool for a role"),
        new("PATCH /api/v1/pools/{id}", Access.Team, "Resizing a pool"),
        new("DELETE /api/v1/pools/{id}", Access.Team, "Deleting a pool"),
        new("GET /api/v1/reclaim", Access.Read, "Reading what reclaim would recycle (its dry run)"),
        new("POST /api/v1/reclaim", Access.Operator, "Reclaiming machines"),
        new("GET /api/v1/cost", Access.Read, "Reading machine-hours and cost by team and role"),
        new("GET /api/v1/cost/waste", Access.Read, "Reading the waste report"),

        new("GET /api/v1/events", Access.Read, "Listing events"),
        new("GET /api/v1/events/stream", Access.Read, "Following the event stream"),
        new("GET /api/v1/subscriptions", Access.Self, "Listing subscriptions"),
        new("GET /api/v1/subscriptions/{id}", Access.Self, "Reading a subscription"),
        new("POST /api/v1/subscriptions", Access.Self, "Subscribing to events"),
        new("PATCH /api/v1/subscriptions/{id}", Access.Self, "Pausing or resuming a subscription"),
        new("DELETE /api/v1/subscriptions/{id}", Access.Self, "Deleting a subscription"),
        new("GET /api/v1/subscriptions/{id}/deliveries", Access.Self, "Reading a subscription's deliveries"),

        new("GET /api/v1/tickets", Access.Read, "Listing triage tickets"),
        new("GET /api/v1/tickets/{id}", Access.Read, "Reading a triage ticket"),
        new("POST /api/v1/tickets/{id}/acknowledge", Access.Self, "Acknowledging a triage ticket"),
        new("POST /api/v1/tickets/{id}/resolve", Access.Self, "Resolving a triage ticket"),
        new("POST /api/v1/tickets/{id}/comments", Access.Self, "Commenting on a triage ticket"),

        new("GET /api/v1/whoami", Access.Read, "Asking who you are"),
        new("GET /api/v1/teams", Access.Read, "Listing teams"),
        new("GET /api/v1/teams/{name}", Access.Read, "Reading a team"),
        new("POST /api/v1/teams", Access.Admin, "Creating a team"),
        new("DELETE /api/v1/teams/{name}", Access.Admin, "Deleting a team"),
        new("POST /api/v1/teams/{name}/members", Access.Admin, "Changing a team's members"),
        new("DELETE /api/v1/teams/{name}/members/{user}", Access.Admin, "Changing a team's members"),
        new("GET /api/v1/users", Access.Read, "Listing users"),
        new("GET /api/v1/users/{name}", Access.Read, "Reading a user"),
        new("POST /api/v1/users", Access.AdminOrTeam, "Creating a user"),
        new("PATCH /api/v1/users/{name}", Access.Self, "Changing a user's settings"),
        new("POST /api/v1/users/{name}/disable", Access.Admin, "Disabling a user"),
        new("POST /api/v1/users/{name}/enable", Access.Admin, "Enabling a user"),
        new("GET /api/v1/tokens", Access.Self, "Listing tokens"),
        new("POST /api/v1/tokens", Access.Self, "Creating a token"),
        new("DELETE /api/v1/tokens/{id}", Access.Self, "Revoking a token"),
        new("GET /api/v1/audit", Access.Admin, "Reading the audit log"),
    ];

    public static IReadOnlyList<(string Action, Who Who, string Why)> MachineActions { get; } =
    [
        ("power_on", Who.Team, "their own hardware"),
        ("power_off", Who.Team, "their own hardware"),
        ("power_cycle", Who.Team, "their own hardware"),
        ("reboot", Who.Team, "their own hardware"),
        ("set_boot_device", Who.Team, "their own hardware"),
        ("install", Who.Team, "a machine allocated to their role"),
        ("reimage", Who.Team, "their own machines; `force` on in_use ones"),
        ("wipe_disks", Who.Team, "their own machines; `force` on in_use ones"),
        ("recycle", Who.Team, "giving a machine back; `force` on in_use ones"),
        ("commission", Who.Operator, "admitting hardware into the fleet"),
        ("decommission", Who.Operator, "taking hardware out of the fleet"),
    ];

    public static Who For(string action) => MachineActions.FirstOrDefault(a => a.Action == action) is { Action: not null } row ? row.Who : Who.Operator;
}

/// <summary>Whose a machine is: the team that owns its role (both null for the free pool).</summary>
public sealed record MachineOwner(string Machine, string? Role, long? TeamId, string? Team, string? Site = null);
