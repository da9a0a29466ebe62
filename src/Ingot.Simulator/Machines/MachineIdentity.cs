using System.Security.Cryptography;
using System.Text;
using Ingot.Client;

namespace Ingot.Simulator.Machines;

/// <summary>How the machine's firmware starts iPXE: what iPXE reports as <c>${platform}</c>.</summary>
public enum Firmware { Efi, Pcbios }

/// <summary>What a simulated machine is: the facts iPXE and a discovery image read from the hardware.</summary>
/// <param name="Macs">The NICs' MACs, lowercase with colons (as iPXE prints <c>${net0/mac}</c>); the first is net0.</param>
public sealed record MachineIdentity(
    string Serial,
    IReadOnlyList<string> Macs,
    Guid Uuid,
    Firmware Firmware,
    string Vendor,
    string Model,
    int CpuCores,
    string CpuModel,
    int MemoryGb,
    IReadOnlyList<DiskFact> Disks)
{
    /// <summary>The MAC iPXE boots from.</summary>
    public string BootMac => Macs[0];

    /// <summary>Machine number <paramref name="index"/> (0-based) of a fleet whose serials start with
    /// <paramref name="serialPrefix"/>. Everything derives from the serial, so a fleet started again with the
    /// same flags is the same hardware (the server recognises it) and two fleets with other prefixes never
    /// share a MAC.</summary>
    public static MachineIdentity Generate(string serialPrefix, int index)
    {
        var serial = $"{serialPrefix}{index + 1:D5}";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(serial));
        // Two SKUs and both firmware modes, so a demo shows each kind of script.
        var big = index % 3 == 2;
        return new MachineIdentity(
            serial,
            [Mac(hash, 0), Mac(hash, 1)],
            new Guid(hash.AsSpan(8, 16)),
            index % 4 == 3 ? Firmware.Pcbios : Firmware.Efi,
            "Ingot Simulated",
            big ? "SIM-2U" : "SIM-1U",
            big ? 64 : 32,
            big ? "Simulated Xeon 6448" : "Simulated EPYC 9124",
            big ? 512 : 128,
            big
                ? [new DiskFact("nvme0n1", 1920, "nvme"), new DiskFact("nvme1n1", 1920, "nvme")]
                : [new DiskFact("sda", 960, "ssd")]);
    }

    /// <summary>A locally administered unicast MAC (02:…), never one a real vendor could ship.</summary>
    private static string Mac(byte[] hash, int nic) =>
        string.Join(':', new[] { (byte)0x02, hash[0], hash[1], hash[2], hash[3], (byte)(hash[4] + nic) }.Select(b => b.ToString("x2")));

    /// <summary>What a discovery image reports: everything it can read, the BMC's address included.</summary>
    public DiscoveryReport Report(string? bmcAddress, int? bmcPort = null) => new(
        Serial, Vendor, Model, CpuCores, CpuModel, MemoryGb, Disks,
        [.. Macs.Select((mac, i) => new NicInput(mac, $"eth{i}"))], bmcAddress, bmcPort);
}
