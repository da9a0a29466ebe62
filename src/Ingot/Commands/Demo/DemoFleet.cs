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
/// The first <see cref="Known"/> BMCs are the inventory's machines, in id order; after them come the unknown machines,
/// which are in no inventory and PXE-boot once to be discovered.</summary>
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
    private readonly IReadOnlyList<MachineIdentity> unknown;
    // One client for every machine: they share a connection pool, as machines on one network share a server.
    private readonly HttpClient http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
    {
        Timeout = Timeout.InfiniteTimeSpan, // each try has its own limit (BootTimings.HttpTimeout)
    };
    private readonly List<SimulatedMachine> machines = [];
    // The unknown machines not in the inventory yet: the ones to discover.
    private readonly List<SimulatedMachine> blank = [];
    private Action<MachineLogEntry>? follower;

    private DemoFleet(SimulatorFleet bmcs, int known, IReadOnlyList<MachineIdentity> unknown, Uri server, BootTimings timings)
    {
        (this.bmcs, Known, this.unknown, this.server, this.timings) = (bmcs, known, unknown, server, timings);
        (all, endpoints) = (bmcs.Bmcs, bmcs.IpmiEndpoints);
    }

    /// <summary>How many BMCs belong to inventory machines (the first ones).</summary>
    public int Known { get; }

    public IReadOnlyList<IPEndPoint> KnownEndpoints => [.. endpoints.Take(Known)];
    public IReadOnlyList<IPEndPoint> UnknownEndpoints => [.. endpoints.Skip(Known)];
    public IReadOnlyList<SimulatedMachine> Machines => machines;
    public BootTimings Timings => timings;

    /// <summary>Starts <paramref name="known"/> + unknown BMCs; the inventory's machines join with <see cref="Boot"/>.</summary>
    /// <param name="options">Where the BMCs answer; its Count is replaced.</param>
    /// <exception cref="System.Net.Sockets.SocketException">An address/port is taken.</exception>
    /// <exception cref="ArgumentException">Addresses past 127.255.255.254.</exception>
    public static async Task<DemoFleet> StartAsync(SimulatorOptions options, int known, IReadOnlyList<MachineIdentity> unknown,
        Uri server, BootTimings timings, CancellationToken ct)
    {
        var bmcs = await IpmiFleet.StartAsync(options with { Count = Math.Max(known + unknown.Count, 1) }, ct);
        return new DemoFleet(bmcs, known, unknown, server, timings);
    }

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

    /// <summary>The inventory's machines behind the known BMCs, in id order: all but the unknown machines an earlier
    /// run got discovered. Those keep their own BMCs, after the known ones, so each stays behind the BMC its
    /// discovery reported.</summary>
    public static IReadOnlyList<MachineView> KnownOf(IReadOnlyList<MachineView> inventory, IReadOnlyList<MachineIdentity> unknown)
    {
        var serials = unknown.Select(u => u.Serial).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return [.. inventory.Where(m => !serials.Contains(m.Serial))];
    }

    /// <summary>Puts a machine behind each BMC: known machine i (<see cref="KnownOf"/>) behind BMC i, with the NICs
    /// the inventory records, running its OS (powered on, booting its disk); then the unknown ones. Those not in the
    /// inventory yet are blank, off until <see cref="DiscoverUnknown"/>; those discovered on an earlier run run like
    /// the others. A machine without a NIC cannot network-boot: its BMC answers, nothing more.</summary>
    public void Boot(IReadOnlyList<MachineView> inventory)
    {
        var known = KnownOf(inventory, unknown);
        for (var i = 0; i < Known && i < known.Count; i++)
            if (known[i].Nics.Count > 0) machines.Add(Machine(IdentityOf(known[i]), i));
        var registered = inventory.Select(m => m.Serial).ToHashSet(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < unknown.Count; i++)
        {
            var isBlank = !registered.Contains(unknown[i].Serial);
            // Before the machine listens: a blank machine sitting in its rack, not a boot.
            if (isBlank) all[Known + i].Apply(PowerAction.Off);
            var machine = Machine(unknown[i], Known + i);
            machines.Add(machine);
            if (isBlank) blank.Add(machine);
        }
    }

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
    private static MachineIdentity IdentityOf(MachineView m) => new(
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
