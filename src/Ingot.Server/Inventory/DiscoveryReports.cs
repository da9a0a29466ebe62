using System.Text.Json;
using Ingot.Client;
using Ingot.Server.Api;
using Ingot.Server.Data;

namespace Ingot.Server.Inventory;

/// <summary>What a discovery image reports about the machine it booted on (DESIGN.md §5, ingestion), checked and
/// registered: an unknown serial becomes a machine in state new; a known one has its facts refreshed and its missing
/// NICs added. Reporting twice is harmless. The door is the boot service's (POST /boot/discovery, with a boot token).</summary>
public static class DiscoveryReports
{
    /// <summary>Attempts of a report that loses a race with an identical one (PostgreSQL); the second sees the first's machine.</summary>
    private const int Attempts = 3;

    /// <summary>Registers or refreshes the machine a report describes.</summary>
    public static async Task<DiscoveryResult> RegisterAsync(Database db, MachineWriter writer, MachineDraft draft, string bootedMac, string actor,
                                                            TimeProvider clock, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var (created, machine) = await db.InTransactionAsync(
                    c => DiscoveryRegistration.RegisterAsync(c, draft, bootedMac, writer, actor, clock.GetUtcNow()), ct);
                return new DiscoveryResult(created, machine);
            }
            catch (Exception e) when (DbErrors.IsUniqueViolation(e))
            {
                // An identical report committed between our read and our write; its machine or NIC is
                // visible now, so the next attempt updates instead of inserting.
                if (attempt == Attempts) throw MachineWriter.Clash(e, draft.Serial, draft.Nics, null);
            }
        }
    }

    /// <summary>Validates the report, naming every bad field, and turns it into the machine it describes.</summary>
    public static MachineDraft Check(DiscoveryReport report)
    {
        var v = new Validation();
        var serial = v.Required("serial", report.Serial);
        if (serial is not null && !Names.IsSerial(serial)) v.Add("serial", "must be 1-64 printable characters.");
        // The bounds of a SKU: wide enough for any real server, narrow enough to catch MB sent as GB.
        v.Range("cpu_cores", report.CpuCores, 1, 4096);
        v.Range("memory_gb", report.MemoryGb, 1, 65536);
        var disks = Disks(report.Disks, v);
        var nics = MachineFields.Nics(report.Nics, v, "");
        var bmcAddress = Trim(report.BmcAddress);
        if (bmcAddress is not null && !Names.IsBmcAddress(bmcAddress))
            v.Add("bmc_address", $"'{bmcAddress}' is not an IP address or a DNS name.");
        v.Range("bmc_port", report.BmcPort, 1, 65535);
        v.ThrowIfInvalid();

        var facts = new HardwareFacts(report.CpuCores, Trim(report.CpuModel), report.MemoryGb, disks);
        var json = facts == new HardwareFacts(null, null, null, null) ? null : JsonSerializer.Serialize(facts, IngotJson.Options);
        // A discovered BMC is assumed to speak IPMI on its standard port: that is what a discovery image can
        // read (ipmitool lan print). Credentials are never reported: the boot service's door applies the site's
        // discovery credentials (ServerSettings.DiscoveryBmc), or an operator sets them.
        var bmc = bmcAddress is null ? null : new BmcDraft("ipmi", bmcAddress, report.BmcPort ?? 623, null, null);
        return new MachineDraft(Names.Serial(serial!), Trim(report.Vendor), Trim(report.Model), null, null, null, null, null, null,
            nics, bmc, [], json);
    }

    private static List<DiskFact>? Disks(IReadOnlyList<DiskFact>? disks, Validation v)
    {
        if (disks is null) return null;
        v.When(disks.Count > 256, "disks", $"lists {disks.Count} disks; a machine has at most 256.");
        var result = new List<DiskFact>();
        for (var i = 0; i < disks.Count; i++)
        {
            var disk = disks[i];
            if (disk is null) { v.Add($"disks[{i}]", "is empty."); continue; }
            if (disk.SizeGb is < 0 or > 1_000_000)
                v.Add($"disks[{i}].size_gb", $"must be between 0 and 1000000, not {disk.SizeGb}.");
            result.Add(new DiskFact(Trim(disk.Name), disk.SizeGb, Trim(disk.Kind)?.ToLowerInvariant()));
        }
        return result;
    }

    private static string? Trim(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
