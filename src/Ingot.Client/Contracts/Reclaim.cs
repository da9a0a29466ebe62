namespace Ingot.Client;

/// <summary>Reclaim (docs/reclaim.md): rules that find machines nobody is using, and the run that recycles them back to
/// <c>available</c>. <c>lease_expired</c>: a request's lease ran out and its machines were kept
/// (INGOT_REQUESTS_RECYCLE_ON_EXPIRY=false). <c>unowned_role</c>: allocated or in use with no role, or for a role whose
/// team has no members. <c>never_installed</c>: allocated for <c>unused_days</c> with no job. <c>defunct</c>: broken,
/// with no change and no job for <c>defunct_days</c>.</summary>
public static class ReclaimRules
{
    public const string LeaseExpired = "lease_expired", UnownedRole = "unowned_role", NeverInstalled = "never_installed", Defunct = "defunct";

    /// <summary>In the order a machine is listed under: the first rule it meets.</summary>
    public static readonly IReadOnlyList<string> All = [LeaseExpired, UnownedRole, NeverInstalled, Defunct];
}

/// <summary>A machine a rule selected, why, and since when.</summary>
public sealed record ReclaimCandidate(long MachineId, string HardwareName, string? Hostname, string State, string? Site, string? Role, string? Team,
                                      string Rule, string Reason, DateTimeOffset? Since);

/// <summary>A machine a rule selected that the run leaves alone, and why (in maintenance, a job running, in a pool).</summary>
public sealed record ReclaimSkip(long MachineId, string Host, string Rule, string Reason);

/// <summary>The dry run: what a run with the same rules would recycle now (<c>machines</c>) and leave (<c>skipped</c>).</summary>
public sealed record ReclaimReport(IReadOnlyList<string> Rules, string? Site, int DefunctDays, int UnusedDays, DateTimeOffset At,
                                   IReadOnlyDictionary<string, int> Counts, IReadOnlyList<ReclaimCandidate> Machines, IReadOnlyList<ReclaimSkip> Skipped);

/// <summary>A run. <c>expect</c>: the number of machines its dry run listed; the run is refused (409) if the selection
/// has changed since, so that what runs is what was reviewed.</summary>
public sealed record ReclaimRunRequest(IReadOnlyList<string>? Rules = null, string? Site = null, int? DefunctDays = null, int? UnusedDays = null,
                                       int? Expect = null);

/// <summary>What a run did: the report it acted on (machines refused at submission moved to <c>skipped</c>) and the
/// recycle batches it submitted, one or more per site.</summary>
public sealed record ReclaimRun(ReclaimReport Report, IReadOnlyList<BatchView> Batches);
