namespace Ingot.Client;

// Requests use nullable fields so that a missing value is reported by validation (422, naming the
// field) rather than lost in a deserialisation error.

/// <param name="InUseHook">The "in use elsewhere" hook asked before a destructive action on the site's machines (an
/// http(s) URL; docs/authorization.md); "" (on PATCH) removes it.</param>
/// <param name="InUseHookFailOpen">When the hook does not answer, let the action through instead of refusing it.</param>
public sealed record SiteCreate(string? Name, string? Description = null, string? InUseHook = null, bool? InUseHookFailOpen = null);
public sealed record SiteView(long Id, string Name, string? Description, DateTimeOffset CreatedAt, string? InUseHook = null, bool InUseHookFailOpen = false);

public sealed record RackCreate(string? Site, string? Name);
public sealed record RackView(long Id, string Site, string Name, DateTimeOffset CreatedAt);

/// <param name="BootMode">The boot mode of the SKU's machines, <c>uefi</c> or <c>legacy</c>, unless a machine has its own;
/// "" (on PATCH) clears it, so each machine follows what its iPXE reports.</param>
/// <param name="HourlyPrice">What one of its machines costs per hour while a team holds it (allocated, installing, in
/// use), in the server's currency (INGOT_COST_CURRENCY); docs/cost.md. Unpriced SKUs count hours at no cost.</param>
public sealed record SkuCreate(
    string? Name, int? CpuCores, int? MemoryGb, int? DiskCount, int? DiskGb, int? NicCount, string? Description = null,
    string? BootMode = null, decimal? HourlyPrice = null);
public sealed record SkuView(
    long Id, string Name, int CpuCores, int MemoryGb, int DiskCount, int DiskGb, int NicCount, string? Description,
    DateTimeOffset CreatedAt, string? BootMode = null, decimal? HourlyPrice = null);

public sealed record TeamCreate(string? Name);
public sealed record TeamView(long Id, string Name, DateTimeOffset CreatedAt);

/// <param name="InUseHook">The "in use elsewhere" hook asked before a destructive action on the role's machines (an
/// http(s) URL; docs/authorization.md); "" (on PATCH) removes it.</param>
/// <param name="InUseHookFailOpen">When the hook does not answer, let the action through instead of refusing it.</param>
/// <param name="LeaseHours">The default lease of requests for the role's machines, in hours (0 on PATCH removes it).</param>
public sealed record RoleCreate(string? Name, string? Team, string? Description = null, string? InUseHook = null, bool? InUseHookFailOpen = null,
                                int? LeaseHours = null);
public sealed record RoleView(long Id, string Name, string Team, string? Description, DateTimeOffset CreatedAt, string? InUseHook = null,
                              bool InUseHookFailOpen = false, int? LeaseHours = null);

/// <summary>A page of a keyset-paginated listing: pass <see cref="Next"/> as <c>after</c> for the next page.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next, long? Total);
