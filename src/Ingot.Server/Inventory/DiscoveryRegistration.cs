using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Api;

namespace Ingot.Server.Inventory;

/// <summary>Registers a discovered machine: creates it when its serial is new, otherwise refreshes what
/// the hardware says about itself (vendor, model, facts, NICs) and leaves alone what people decided
/// (state, role, hostname, place, BMC settings and credentials).</summary>
/// <remarks>A report is the word of whoever booted an unknown MAC, so it may change a machine Ingot knows only when it
/// can be that machine: booted from one of its NICs (the image reporting again, after a lost answer), or the machine
/// was registered by serial alone ahead of racking and has never booted (state new, no NICs). Any other report naming a
/// known serial is refused with what to do, and changes nothing (issue 11 B.2).</remarks>
public static class DiscoveryRegistration
{
    /// <param name="bootedMac">The MAC whose boot token the report carries.</param>
    public static async Task<(bool Created, MachineView Machine)> RegisterAsync(
        DataContext c, MachineDraft report, string bootedMac, MachineWriter writer, string actor, DateTimeOffset now)
    {
        await SerialiseAsync(c, report.Serial);
        var known = await c.QuerySingleOrDefaultAsync<KnownMachine>(
            "SELECT id, hardware_name, serial, state, vendor, model, hardware, bmc_address FROM machines WHERE serial = @Serial" + Sql.ForUpdate(c),
            new { report.Serial });
        var owned = await CheckMacsAsync(c, report, known);
        if (known is null)
        {
            await RefuseHardwareNameClashAsync(c, report.Serial);
            var id = await writer.InsertAsync(c, report, actor, "discover", now);
            return (true, await MachineReader.GetAsync(c, id));
        }
        await RefuseStrangerAsync(c, known, bootedMac);
        await RefreshAsync(c, known, report, owned, now);
        return (false, await MachineReader.GetAsync(c, known.Id));
    }

    private static async Task RefuseStrangerAsync(DataContext c, KnownMachine known, string bootedMac)
    {
        var nics = (await c.QueryAsync<string>("SELECT mac FROM nics WHERE machine_id = @Id", new { known.Id })).ToList();
        if (nics.Contains(bootedMac, StringComparer.Ordinal)) return;
        if (nics.Count == 0 && known.State == "new") return;
        throw new ConflictException(
            $"Serial '{known.Serial}' is machine {known.HardwareName} ({known.State}, NICs {string.Join(", ", nics)}), which did not boot " +
            $"from {bootedMac}: a discovery report does not change a machine Ingot knows. If this is that machine booting from a NIC " +
            $"Ingot does not know, add the NIC to it (PATCH /api/v1/machines/{known.HardwareName}) and it boots as itself.");
    }

    /// <summary>Makes reports of one serial take turns. Without it, on PostgreSQL a report could look the
    /// machine up just before an identical report commits it, then find its MACs and hardware_name taken
    /// "by another machine". SQLite needs nothing: its write transactions already take turns.</summary>
    private static Task SerialiseAsync(DataContext c, string serial) => Sql.TakeTurnsAsync(c, "discovery:" + serial);

    /// <summary>Refuses a report whose MACs belong to another machine; returns those it already has.</summary>
    private static async Task<HashSet<string>> CheckMacsAsync(DataContext c, MachineDraft report, KnownMachine? known)
    {
        if (report.Nics.Count == 0) return [];
        var macs = report.Nics.Select(n => n.Mac).ToArray();
        var owners = (await c.QueryAsync<(string Mac, long MachineId, string HardwareName, string Serial)>(
            $"SELECT n.mac, m.id, m.hardware_name, m.serial FROM nics n JOIN machines m ON m.id = n.machine_id WHERE {Sql.AnyOf(c, "n.mac", "macs")}",
            new { macs = Sql.List(macs) })).ToList();
        var stolen = owners.Where(o => o.MachineId != known?.Id).ToList();
        if (stolen.Count > 0)
        {
            // Never move a NIC silently: a MAC on two machines is a cabling or data mistake that a person must settle.
            var reporter = known?.HardwareName ?? Names.HardwareName(report.Serial);
            var which = string.Join(", ", stolen.Select(o => $"{o.Mac} is on {o.HardwareName} (serial {o.Serial})"));
            throw new ConflictException(
                $"Machine {reporter} (serial {report.Serial}) reports NICs that belong to another machine: {which}. " +
                "If the NIC moved, remove it from the other machine first.");
        }
        return owners.Select(o => o.Mac).ToHashSet(StringComparer.Ordinal);
    }

    private static async Task RefuseHardwareNameClashAsync(DataContext c, string serial)
    {
        var hardwareName = Names.HardwareName(serial);
        var other = await c.ExecuteScalarAsync<string?>(
            "SELECT serial FROM machines WHERE hardware_name = @hardwareName", new { hardwareName });
        if (other is not null)
            throw new ConflictException(
                $"Serial '{serial}' gives hardware_name {hardwareName}, which machine '{other}' already has; the two serials differ only in punctuation.");
    }

    private static async Task RefreshAsync(
        DataContext c, KnownMachine known, MachineDraft report, HashSet<string> owned, DateTimeOffset now)
    {
        var missing = report.Nics.Where(n => !owned.Contains(n.Mac)).ToList();
        await MachineWriter.AddNicsAsync(c, known.Id, missing);

        // A report that leaves a fact out has not seen it: keep what is known rather than erase it.
        var vendor = report.Vendor ?? known.Vendor;
        var model = report.Model ?? known.Model;
        var hardware = report.HardwareJson ?? known.Hardware;
        // Fill in a BMC nobody has configured; an operator's BMC settings win over what the image saw.
        var bmc = known.BmcAddress is null ? report.Bmc : null;
        if (missing.Count == 0 && vendor == known.Vendor && model == known.Model && hardware == known.Hardware && bmc is null) return;
        await c.ExecuteAsync(
            """
            UPDATE machines SET vendor = @vendor, model = @model, hardware = @hardware,
                bmc_driver = CASE WHEN @setBmc THEN @bmcDriver ELSE bmc_driver END,
                bmc_address = CASE WHEN @setBmc THEN @bmcAddress ELSE bmc_address END,
                bmc_port = CASE WHEN @setBmc THEN @bmcPort ELSE bmc_port END,
                version = version + 1, updated_at = @now
            WHERE id = @id
            """,
            new
            {
                vendor, model, hardware, setBmc = bmc is not null, bmcDriver = bmc?.Driver, bmcAddress = bmc?.Address,
                bmcPort = bmc?.Port, now, id = known.Id,
            });
    }

    private sealed class KnownMachine
    {
        public long Id { get; init; }
        public string HardwareName { get; init; } = "";
        public string Serial { get; init; } = "";
        public string State { get; init; } = "";
        public string? Vendor { get; init; }
        public string? Model { get; init; }
        public string? Hardware { get; init; }
        public string? BmcAddress { get; init; }
    }
}
