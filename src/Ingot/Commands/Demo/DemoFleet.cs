using System.Net;
using System.Security.Cryptography;
using System.Text;
using Ingot.Bmc;
using Ingot.Client;
using Ingot.Simulator.Ipmi;
using Ingot.Simulator.Machines;

namespace Ingot.Commands.Demo;

/// <summary>The demo's hardware: a simulated BMC per machine answering IPMI, and behind each BMC a simulated machine
/// that network-boots from the demo's server (src/Ingot.Simulator/Machines), so a reimage or recycle really installs.
/// Which machine sits behind which BMC is <see cref="BmcSeats"/>' plan, the same on every start: the inventory's
/// machines behind the addresses their records name, and the unknown machines, in no inventory, which PXE-boot once
/// to be discovered.</summary>
/// <remarks>Not <see cref="SimulatedFleet"/>: that one makes up its machines' MACs, and the demo's machines must have
/// the MACs the inventory records (which the sample CSV chose, or a user edited), read back from the API.</remarks>
public sealed class DemoFleet : IAsyncDisposable
{
    /// <summary>Serials of the unknown machines; their MACs derive from them (02:…, never the sample's 02:1a:…).</summary>
    public const string UnknownPrefix = "DEMO-NEW-";

    private readonly SimulatorFleet bmcs;
    // The fleet's lists, taken once: the fleet builds them anew on each read.
    private readonly IReadOnlyList<Ingot.Simulator.SimulatedBmc> all;
    private readonly IReadOnlyList<IPEndPoint> endpoints;
    private readonly Uri server;
    private readonly BootTimings timings;
    // One client for every machine: they share a connection pool, as machines on one network share a server.
    private readonly HttpClient http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
    {
        Timeout = Timeout.InfiniteTimeSpan, // each try has its own limit (BootTimings.HttpTimeout)
    };
    private readonly List<SimulatedMachine> machines = [];
    // The unknown machines not in the inventory yet: the ones to discover.
    private readonly List<SimulatedMachine> blank = [];
    private IReadOnlyList<BmcSeat> seats = [];
    private Action<MachineLogEntry>? follower;

    private DemoFleet(SimulatorFleet bmcs, Uri server, BootTimings timings)
    {
        (this.bmcs, this.server, this.timings) = (bmcs, server, timings);
        (all, endpoints) = (bmcs.Bmcs, bmcs.IpmiEndpoints);
    }

    /// <summary>Every BMC's endpoint, by index (a seat's <see cref="BmcSeat.Index"/>).</summary>
    public IReadOnlyList<IPEndPoint> Endpoints => endpoints;

    /// <summary>How many BMCs belong to inventory machines other than discovered unknown ones (after <see cref="Boot"/>).</summary>
    public int Known => KnownEndpoints.Count;

    public IReadOnlyList<IPEndPoint> KnownEndpoints => [.. seats.Where(s => !IsUnknown(s)).OrderBy(s => s.Index).Select(s => endpoints[s.Index])];
    public IReadOnlyList<IPEndPoint> UnknownEndpoints => [.. seats.Where(IsUnknown).OrderBy(s => s.Index).Select(s => endpoints[s.Index])];
    public IReadOnlyList<SimulatedMachine> Machines => machines;
    public BootTimings Timings => timings;

    /// <summary>Starts <paramref name="options"/>' Count BMCs; the machines join with <see cref="Boot"/>.</summary>
    /// <exception cref="System.Net.Sockets.SocketException">An address/port is taken.</exception>
    /// <exception cref="ArgumentException">Addresses past 127.255.255.254.</exception>
    public static async Task<DemoFleet> StartAsync(SimulatorOptions options, Uri server, BootTimings timings, CancellationToken ct) =>
        new(await IpmiFleet.StartAsync(options, ct), server, timings);

    /// <summary>The unknown machines: <paramref name="count"/> of them, the same on every start. Each has the hardware of
    /// a sample SKU (one with as many NICs as a generated machine has), so commissioning it after its discovery finds
    /// its SKU instead of failing it.</summary>
    public static IReadOnlyList<MachineIdentity> Unknown(int count)
    {
        var skus = SampleInventory.Skus.Where(s => s.NicCount == MachineIdentity.Generate(UnknownPrefix, 0).Macs.Count).ToList();
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            var machine = MachineIdentity.Generate(UnknownPrefix, i);
            if (skus.Count == 0) return machine;
            var sku = skus[i % skus.Count];
            return machine with
            {
                CpuCores = sku.CpuCores!.Value,
                MemoryGb = sku.MemoryGb!.Value,
                Disks = [.. Enumerable.Range(0, sku.DiskCount!.Value).Select(d => new DiskFact($"nvme{d}n1", sku.DiskGb, "nvme"))],
            };
        })];
    }

    /// <summary>Puts each seat's machine behind its BMC (<see cref="BmcSeats.Plan"/>): an inventory machine with the NICs
    /// its record has, running its OS (powered on, booting its disk); an unknown machine not discovered yet blank, off
    /// until <see cref="DiscoverUnknown"/>. A machine without a NIC cannot network-boot: its BMC answers, nothing more.</summary>
    public void Boot(IReadOnlyList<BmcSeat> plan)
    {
        seats = plan;
        foreach (var seat in plan)
        {
            if (seat.Identity.Macs.Count == 0) continue;
            // Before the machine listens: a blank machine sitting in its rack, not a boot.
            if (seat.Record is null) all[seat.Index].Apply(PowerAction.Off);
            var machine = Machine(seat.Identity, seat.Index);
            machines.Add(machine);
            if (seat.Record is null) blank.Add(machine);
        }
    }

    /// <summary>Makes the machine with this serial fail every install, as a machine with a dead disk would (the tour's
    /// provisioning request shows it replaced). False when no simulated machine has the serial.</summary>
    public bool FailInstalls(string serial, string message)
    {
        var machine = machines.FirstOrDefault(m => string.Equals(m.Identity.Serial, serial, StringComparison.OrdinalIgnoreCase));
        if (machine is null) return false;
        machine.Faults = new MachineFaults { InstallerFails = true, FailureMessage = message };
        return true;
    }

    private static bool IsUnknown(BmcSeat seat) => seat.Identity.Serial.StartsWith(UnknownPrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>Powers the blank unknown machines on with a one-time PXE boot, as a technician racking them would: the
    /// server does not know their MACs, so it hands them the discovery image.</summary>
    public void DiscoverUnknown()
    {
        foreach (var machine in blank)
        {
            machine.Bmc.SetBoot(new BootSettings(BootDevice.Pxe));
            machine.Bmc.Apply(PowerAction.On);
        }
    }

    /// <summary>Sends every machine's log lines to <paramref name="print"/> (called from the machines' threads).</summary>
    public void Follow(Action<MachineLogEntry> print)
    {
        follower = print;
        foreach (var machine in machines) machine.Log.Written += print;
    }

    /// <summary>The machine behind BMC <paramref name="index"/>; a discovery report names that BMC's port, which is not
    /// IPMI's standard one here.</summary>
    private SimulatedMachine Machine(MachineIdentity identity, int index) =>
        new(identity, all[index], server, http, timings) { BmcPort = endpoints[index].Port };

    /// <summary>What iPXE and an image would read from the inventory machine's hardware. The UUID derives from the
    /// serial, so it is the same on every start.</summary>
    internal static MachineIdentity IdentityOf(MachineView m) => new(
        m.Serial,
        [.. m.Nics.Select(n => n.Mac.ToLowerInvariant())],
        new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(m.Serial)).AsSpan(0, 16)),
        Firmware.Efi,
        m.Vendor ?? "Unknown",
        m.Model ?? "Unknown",
        m.Hardware?.CpuCores ?? 32,
        m.Hardware?.CpuModel ?? "Simulated CPU",
        m.Hardware?.MemoryGb ?? 128,
        m.Hardware?.Disks ?? [new DiskFact("sda", 960, "ssd")]);

    /// <summary>Stops the machines (a boot in progress is interrupted), then their BMCs.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var machine in machines)
        {
            if (follower is not null) machine.Log.Written -= follower; // silent from here: the demo is stopping
            machine.Dispose();
        }
        // A cancelled boot ends at its next await; wait for it so nothing posts through the client disposed below.
        try { await Task.WhenAll(machines.Select(m => m.CurrentBoot)).WaitAsync(TimeSpan.FromSeconds(5)); }
        catch (TimeoutException) { /* a boot stuck past its cancellation: stopping matters more */ }
        await bmcs.DisposeAsync();
        http.Dispose();
    }
}
