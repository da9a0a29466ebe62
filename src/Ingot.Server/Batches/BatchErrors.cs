using Ingot.Server.Api;

namespace Ingot.Server.Batches;

/// <summary>A host of a refused batch and why.</summary>
public sealed record HostReason(string Host, string Reason, long? Batch = null);

/// <summary>The whole batch is refused (422): every offending host with its reason, so the caller fixes them all at once.</summary>
/// <param name="denied">Some host is not the caller's to act on: the audit records the refusal as denied.</param>
public sealed class BatchInvalidException(IReadOnlyList<HostReason> hosts, bool denied = false)
    : IngotException($"{hosts.Count} host(s) cannot be in this batch: " +
                     string.Join("; ", hosts.Take(10).Select(h => $"{h.Host}: {h.Reason}")) + (hosts.Count > 10 ? "; …" : "") +
                     ". Nothing was queued.")
{
    public override int Status => 422;
    public override string Slug => "batch-invalid";
    public IReadOnlyList<HostReason> Hosts { get; } = hosts;
    public override string Title => "Invalid batch";
    public override string? AuditOutcome => denied ? "denied" : null;
    public override IReadOnlyDictionary<string, object?> Extensions { get; } = new Dictionary<string, object?>
    {
        ["hosts"] = hosts.Select(h => new Dictionary<string, object?> { ["host"] = h.Host, ["reason"] = h.Reason }).ToArray(),
    };
}

/// <summary>Some hosts are in another active batch (409): each with the batch that holds it.</summary>
public sealed class BatchOverlapException(IReadOnlyList<HostReason> hosts)
    : IngotException($"{hosts.Count} host(s) are in another active batch: " +
                     string.Join("; ", hosts.Take(10).Select(h => $"{h.Host} (batch {h.Batch})")) + (hosts.Count > 10 ? "; …" : "") +
                     ". Nothing was queued; wait for those batches or cancel them.")
{
    public override int Status => 409;
    public override string Slug => "batch-overlap";
    public IReadOnlyList<HostReason> Hosts { get; } = hosts;
    public override string Title => "Hosts in another batch";
    public override IReadOnlyDictionary<string, object?> Extensions { get; } = new Dictionary<string, object?>
    {
        ["hosts"] = hosts.Select(h => new Dictionary<string, object?> { ["host"] = h.Host, ["batch"] = h.Batch }).ToArray(),
    };
}
