using System.Text.Json;
using Ingot.Bmc;
using Ingot.Server.Data;
using Ingot.Server.Api;

namespace Ingot.Server.Batches;

public enum PrecheckMode { None, Reject, Exclude }

/// <summary>Before a batch is accepted, optionally: does every host's BMC answer with the stored credentials? Bounded
/// and parallel (many BMCs at once over the shared IPMI sockets, never all of them), so thousands of hosts take seconds.</summary>
public sealed class BatchPrecheck(SecretBox secrets, BmcDriverOptions drivers)
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

    private sealed class BmcRow
    {
        public long Id { get; init; }
        public string? BmcDriver { get; init; }
        public string? BmcAddress { get; init; }
        public int? BmcPort { get; init; }
        public string? BmcUsername { get; init; }
        public byte[]? BmcPassword { get; init; }
    }

    /// <returns>Why each failing machine's BMC failed, by machine id.</returns>
    public async Task<Dictionary<long, string>> FailuresAsync(DataContext c, IReadOnlyList<long> machineIds, CancellationToken ct)
    {
        var rows = new List<BmcRow>();
        foreach (var chunk in machineIds.Chunk(500))
            rows.AddRange(await c.QueryAsync<BmcRow>(
                $"SELECT id, bmc_driver, bmc_address, bmc_port, bmc_username, bmc_password FROM machines WHERE {Sql.AnyOf(c, "id", "ids")}", new { ids = Sql.List(chunk) }));
        var failures = new System.Collections.Concurrent.ConcurrentDictionary<long, string>();
        await System.Threading.Tasks.Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = Parallel, CancellationToken = ct }, async (m, token) =>
        {
            if (m.BmcDriver is null || m.BmcAddress is null) { failures[m.Id] = "has no BMC in the inventory"; return; }
            var target = new BmcTarget(m.BmcDriver, m.BmcAddress, m.BmcPort ?? BmcDrivers.DefaultPort(m.BmcDriver, "https"), m.BmcUsername,
                m.BmcPassword is null ? null : secrets.Open(m.BmcPassword));
            try
            {
                await using var bmc = BmcDrivers.Connect(target, drivers);
                if (bmc is IPowerControl power) await power.GetPowerStateAsync(token);
            }
            catch (BmcException e)
            {
                failures[m.Id] = $"BMC precheck failed: {e.Message}";
            }
        });
        return new Dictionary<long, string>(failures);
    }
}
