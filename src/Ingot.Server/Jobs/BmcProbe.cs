using Ingot.Bmc;
using Ingot.Server.Data;

namespace Ingot.Server.Jobs;

/// <summary>Does a BMC answer with its stored credentials? One cheap session: log in and read the power state. Used by a
/// batch's precheck and the BMC watch; many at once over the shared IPMI sockets, bounded.</summary>
public sealed class BmcProbe(SecretBox secrets, BmcDriverOptions drivers)
{
    public sealed class Row
    {
        public long Id { get; init; }
        public string? BmcDriver { get; init; }
        public string? BmcAddress { get; init; }
        public int? BmcPort { get; init; }
        public string? BmcUsername { get; init; }
        public byte[]? BmcPassword { get; init; }
    }

    /// <summary>The machines table's columns a <see cref="Row"/> reads.</summary>
    public const string Columns = "id, bmc_driver, bmc_address, bmc_port, bmc_username, bmc_password";

    /// <summary>Null when the BMC answered; otherwise why not.</summary>
    public async Task<BmcException?> ProbeAsync(Row m, CancellationToken ct)
    {
        if (m.BmcDriver is null || m.BmcAddress is null) throw new ArgumentException($"machine {m.Id} has no BMC", nameof(m));
        var target = new BmcTarget(m.BmcDriver, m.BmcAddress, m.BmcPort ?? BmcDrivers.DefaultPort(m.BmcDriver, "https"), m.BmcUsername,
            m.BmcPassword is null ? null : secrets.Open(m.BmcPassword));
        try
        {
            await using var bmc = BmcDrivers.Connect(target, drivers);
            if (bmc is IPowerControl power) await power.GetPowerStateAsync(ct);
            return null;
        }
        catch (BmcException e)
        {
            return e;
        }
    }

    /// <summary>Probes each machine, <paramref name="parallel"/> at a time; each machine's outcome by id.</summary>
    public async Task<Dictionary<long, BmcException?>> ProbeAllAsync(IEnumerable<Row> machines, int parallel, CancellationToken ct)
    {
        var outcomes = new System.Collections.Concurrent.ConcurrentDictionary<long, BmcException?>();
        await Parallel.ForEachAsync(machines, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = ct },
            async (m, token) => outcomes[m.Id] = await ProbeAsync(m, token));
        return new Dictionary<long, BmcException?>(outcomes);
    }
}
