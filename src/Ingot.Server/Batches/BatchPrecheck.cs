using System.Text.Json;
using Ingot.Server.Jobs;
using Ingot.Server.Data;
using Ingot.Server.Api;

namespace Ingot.Server.Batches;

public enum PrecheckMode { None, Reject, Exclude }

/// <summary>Before a batch is accepted, optionally: does every host's BMC answer with the stored credentials? Bounded
/// and parallel (many BMCs at once over the shared IPMI sockets, never all of them), so thousands of hosts take seconds.</summary>
public sealed class BatchPrecheck(BmcProbe probe)
{
    private const int Parallel = 64;

    public static PrecheckMode Mode(JsonElement? precheck, Validation v) => precheck switch
    {
        null => PrecheckMode.None,
        { ValueKind: JsonValueKind.Null or JsonValueKind.False } => PrecheckMode.None,
        { ValueKind: JsonValueKind.True } => PrecheckMode.Reject,
        { ValueKind: JsonValueKind.String } s when s.GetString() == "exclude" => PrecheckMode.Exclude,
        _ => Fail(v),
    };

    private static PrecheckMode Fail(Validation v)
    {
        v.Add("precheck", "must be true, false or \"exclude\".");
        return PrecheckMode.None;
    }

    /// <returns>Why each failing machine's BMC failed, by machine id.</returns>
    public async Task<Dictionary<long, string>> FailuresAsync(DataContext c, IReadOnlyList<long> machineIds, CancellationToken ct)
    {
        var rows = new List<BmcProbe.Row>();
        foreach (var chunk in machineIds.Chunk(500))
            rows.AddRange(await c.QueryAsync<BmcProbe.Row>(
                $"SELECT {BmcProbe.Columns} FROM machines WHERE {Sql.AnyOf(c, "id", "ids")}", new { ids = Sql.List(chunk) }));
        var failures = rows.Where(m => m.BmcDriver is null || m.BmcAddress is null).ToDictionary(m => m.Id, _ => "has no BMC in the inventory");
        foreach (var (id, error) in await probe.ProbeAllAsync(rows.Where(m => !failures.ContainsKey(m.Id)), Parallel, ct))
            if (error is not null) failures[id] = $"BMC precheck failed: {error.Message}";
        return failures;
    }
}
