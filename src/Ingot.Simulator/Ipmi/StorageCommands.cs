using System.Text;
using Ingot.Bmc.Ipmi;

namespace Ingot.Simulator.Ipmi;

/// <summary>What inventory tools read from the storage network function (IPMI 2.0 §31–34): FRU 0 (<see cref="FruData"/>),
/// an SDR repository holding the BMC's own Management Controller Device Locator, and an empty SEL. Enough for ipmitool
/// fru/sdr/sel, FreeIPMI ipmi-fru/ipmi-sdr/ipmi-sel and pyghmi's get_inventory, which before this got "invalid
/// command" (issue 11 E.5; InventoryTests). Read-only: nothing is ever added, so a reservation is never cancelled.</summary>
internal sealed class StorageCommands(SimulatedBmc bmc)
{
    private const byte SdrVersion = 0x51;
    private const ushort LastRecord = 0xFFFF;
    private readonly byte[] fru = FruData.For(bmc);
    private readonly byte[][] sdrs = [ControllerLocator()];
    private int reservation;

    public CommandResult Handle(byte command, ReadOnlySpan<byte> data) => command switch
    {
        IpmiCommands.GetFruInventoryAreaInfo => FruAreaInfo(data),
        IpmiCommands.ReadFruData => ReadFru(data),
        IpmiCommands.GetSdrRepositoryInfo => RepositoryInfo(sdrs.Length),
        IpmiCommands.ReserveSdrRepository or IpmiCommands.ReserveSel => Reserve(),
        IpmiCommands.GetSdr => GetSdr(data),
        IpmiCommands.GetSelInfo => RepositoryInfo(0),
        IpmiCommands.GetSelEntry => data.Length == 6 ? CommandResult.Fail(CompletionCodes.NotPresent) : Length(),
        IpmiCommands.GetSelTime => CommandResult.Ok(BitConverter.GetBytes((uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds())),
        _ => CommandResult.Fail(CompletionCodes.InvalidCommand),
    };

    /// <summary>The privilege each storage command needs (appendix G: reads and reservations at User).</summary>
    public static bool Implements(byte command) => command is IpmiCommands.GetFruInventoryAreaInfo or IpmiCommands.ReadFruData
        or IpmiCommands.GetSdrRepositoryInfo or IpmiCommands.ReserveSdrRepository or IpmiCommands.GetSdr
        or IpmiCommands.GetSelInfo or IpmiCommands.ReserveSel or IpmiCommands.GetSelEntry or IpmiCommands.GetSelTime;

    private static CommandResult Length() => CommandResult.Fail(CompletionCodes.RequestDataLengthInvalid);

    private CommandResult FruAreaInfo(ReadOnlySpan<byte> data)
    {
        if (data.Length != 1) return Length();
        if (data[0] != 0) return CommandResult.Fail(CompletionCodes.NotPresent);
        return CommandResult.Ok((byte)fru.Length, (byte)(fru.Length >> 8), 0x00); // accessed by bytes
    }

    private CommandResult ReadFru(ReadOnlySpan<byte> data)
    {
        if (data.Length != 4) return Length();
        if (data[0] != 0) return CommandResult.Fail(CompletionCodes.NotPresent);
        var offset = data[1] | data[2] << 8;
        if (offset > fru.Length) return CommandResult.Fail(CompletionCodes.ParameterOutOfRange);
        var count = Math.Min(data[3], fru.Length - offset);
        return CommandResult.Ok([(byte)count, .. fru.AsSpan(offset, count)]);
    }

    /// <summary>Get SDR Repository Info and Get SEL Info share a shape: version, count, free space, last addition
    /// and erase times, operation support.</summary>
    private static CommandResult RepositoryInfo(int records) => CommandResult.Ok(
        SdrVersion, (byte)records, (byte)(records >> 8),
        0x00, 0x00, // no free space: nothing may be added
        0, 0, 0, 0, 0, 0, 0, 0, // never added to or erased since the epoch
        0x02); // no overflow; reserve supported; no delete, partial add or allocation info

    private CommandResult Reserve()
    {
        var id = (ushort)(Interlocked.Increment(ref reservation) % 0xFFFF + 1); // never 0, which means "none"
        return CommandResult.Ok((byte)id, (byte)(id >> 8));
    }

    /// <summary>Record id 0 is the first record; the answer starts with the next record's id (0xFFFF after the last).
    /// A read of the whole record (count 0xFF) or of part of it, as pyghmi does in chunks.</summary>
    private CommandResult GetSdr(ReadOnlySpan<byte> data)
    {
        if (data.Length != 6) return Length();
        var id = data[2] | data[3] << 8;
        var index = id == 0 ? 0 : id - 1;
        if (index >= sdrs.Length) return CommandResult.Fail(CompletionCodes.NotPresent);
        var record = sdrs[index];
        var next = index + 1 < sdrs.Length ? (ushort)(index + 2) : LastRecord;
        var offset = data[4];
        if (offset > record.Length) return CommandResult.Fail(CompletionCodes.ParameterOutOfRange);
        var count = data[5] == 0xFF ? record.Length - offset : Math.Min(data[5], record.Length - offset);
        return CommandResult.Ok([(byte)next, (byte)(next >> 8), .. record.AsSpan(offset, count)]);
    }

    /// <summary>SDR type 12h (IPMI 2.0 §43.9): the BMC at IPMB address 20h, with the devices Get Device ID announces.</summary>
    private static byte[] ControllerLocator()
    {
        var name = Encoding.ASCII.GetBytes("Ingot sim BMC");
        byte[] body =
        [
            0x20, 0x00, // slave address, channel 0
            0x00, // no power-state notification or init agents
            BmcCommands.DeviceSupport, // device capabilities
            0x00, 0x00, 0x00, // reserved
            0x06, 0x01, // entity: system management module, instance 1
            0x00, // OEM
            (byte)(0xC0 | name.Length), .. name,
        ];
        return [0x01, 0x00, SdrVersion, 0x12, (byte)body.Length, .. body]; // record id 1
    }
}
