using System.Text;

namespace Ingot.Simulator.Ipmi;

/// <summary>FRU 0 of a simulated machine, in the Platform Management FRU Information Storage Definition 1.0 format:
/// a common header, then chassis, board and product areas, each of 8-byte blocks ending in a zero-sum checksum.
/// Read by ipmitool fru, FreeIPMI ipmi-fru and pyghmi's get_inventory (InventoryTests).</summary>
internal static class FruData
{
    private const byte FormatVersion = 0x01;
    private const byte RackMountChassis = 0x17;
    private const byte EndOfFields = 0xC1;

    public static byte[] For(SimulatedBmc bmc)
    {
        var serial = bmc.Name;
        byte[] chassis = Area([RackMountChassis], ["ING-CH-1", serial]);
        // Manufacturing date: minutes since 1996-01-01 00:00 UTC (three bytes, least significant first).
        var minutes = (int)(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc) - new DateTime(1996, 1, 1, 0, 0, 0, DateTimeKind.Utc)).TotalMinutes;
        byte[] board = Area([0x00, (byte)minutes, (byte)(minutes >> 8), (byte)(minutes >> 16)],
            ["Ingot", "Simulated board", serial, "ING-MB-1", ""]);
        byte[] product = Area([0x00], ["Ingot", "Simulated machine", "SIM-1", "1.0", serial, "", ""]);
        var chassisAt = 1; // in 8-byte blocks, after the header
        var boardAt = chassisAt + chassis.Length / 8;
        var productAt = boardAt + board.Length / 8;
        var header = new byte[] { FormatVersion, 0, (byte)chassisAt, (byte)boardAt, (byte)productAt, 0, 0, 0 };
        header[7] = Checksum(header.AsSpan(0, 7));
        return [.. header, .. chassis, .. board, .. product];
    }

    /// <summary>Version, length (blocks), the area's fixed bytes, its fields as 8-bit type/length strings, the end
    /// marker, padding to a whole block, and the checksum.</summary>
    private static byte[] Area(byte[] fixedBytes, string[] fields)
    {
        List<byte> area = [FormatVersion, 0, .. fixedBytes];
        foreach (var field in fields)
        {
            var text = Encoding.Latin1.GetBytes(field);
            area.Add((byte)(0xC0 | text.Length)); // type 11b: 8-bit (Latin-1) text; length below 64
            area.AddRange(text);
        }
        area.Add(EndOfFields);
        while ((area.Count + 1) % 8 != 0) area.Add(0);
        area.Add(0);
        area[1] = (byte)(area.Count / 8);
        area[^1] = Checksum(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(area)[..^1]);
        return [.. area];
    }

    internal static byte Checksum(ReadOnlySpan<byte> bytes)
    {
        byte sum = 0;
        foreach (var b in bytes) sum += b;
        return (byte)-sum;
    }
}
