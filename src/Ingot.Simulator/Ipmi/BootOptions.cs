using Ingot.Bmc;
using Ingot.Bmc.Ipmi;

namespace Ingot.Simulator.Ipmi;

/// <summary>Set/Get System Boot Options (IPMI 2.0 §28.12–28.13). Parameter 5 (boot flags) is the simulated
/// machine's next boot device; 0 (set in progress), 3 (valid-bit clearing) and 4 (boot info acknowledge) are
/// kept as plain bytes, because ipmitool 1.8.19 writes 0 and 4 around every "chassis bootdev" (and skips the
/// boot device if writing 4 fails: IpmitoolTests.BootdevPxe_SetsAOneTimePxeBoot); FreeIPMI 1.6.10's
/// ipmi-chassis-config reads 5, writes 5, then writes 3 and 4 (seen with --debug)
/// (FreeIpmiTests.IpmiChassisConfig_BootFlags_SetAndReadBack).</summary>
internal sealed class BootOptions(SimulatedBmc bmc)
{
    private const byte BootFlags = 5;
    private readonly Dictionary<byte, byte[]> stored = new()
    {
        [0] = [0x00],
        [3] = [0x00],
        [4] = [0x00, 0x00],
    };

    public CommandResult Set(ReadOnlySpan<byte> data)
    {
        if (data.Length < 1) return CommandResult.Fail(CompletionCodes.RequestDataLengthInvalid);
        var parameter = (byte)(data[0] & 0x7F); // bit 7 only marks the parameter invalid/locked
        var value = data[1..];
        if (parameter == BootFlags) return SetBootFlags(value);
        if (!stored.TryGetValue(parameter, out var old)) return CommandResult.Fail(CompletionCodes.ParameterNotSupported);
        if (value.Length != old.Length) return CommandResult.Fail(CompletionCodes.RequestDataLengthInvalid);
        stored[parameter] = value.ToArray();
        return CommandResult.Ok();
    }

    public CommandResult Get(ReadOnlySpan<byte> data)
    {
        if (data.Length != 3) return CommandResult.Fail(CompletionCodes.RequestDataLengthInvalid);
        var parameter = (byte)(data[0] & 0x7F);
        byte[]? value = parameter == BootFlags ? Encode(bmc.Boot) : stored.GetValueOrDefault(parameter);
        if (value is null) return CommandResult.Fail(CompletionCodes.ParameterNotSupported);
        return CommandResult.Ok([0x01, parameter, .. value]); // parameter version 1
    }

    private CommandResult SetBootFlags(ReadOnlySpan<byte> value)
    {
        if (value.Length != 5) return CommandResult.Fail(CompletionCodes.RequestDataLengthInvalid);
        var valid = (value[0] & 0x80) != 0;
        BootDevice? device = valid ? Decode(value[1]) : BootDevice.None;
        if (device is null) return CommandResult.Fail(CompletionCodes.InvalidDataField);
        bmc.SetBoot(new BootSettings(device.Value, Persistent: (value[0] & 0x40) != 0, Uefi: (value[0] & 0x20) != 0));
        return CommandResult.Ok();
    }

    /// <summary>The device selector, bits 5:2 of the second byte. Devices the simulated machine lacks
    /// (CD, floppy, diagnostics) are refused rather than silently stored as something else.</summary>
    private static BootDevice? Decode(byte selector) => ((selector >> 2) & 0x0F) switch
    {
        0x0 => BootDevice.None,
        0x1 => BootDevice.Pxe,
        0x2 or 0x3 => BootDevice.Disk, // default hard drive, or the same in safe mode
        0x6 => BootDevice.BiosSetup,
        _ => null,
    };

    internal static byte[] Encode(BootSettings boot)
    {
        if (boot.Device == BootDevice.None) return [0x00, 0x00, 0x00, 0x00, 0x00];
        var flags = (byte)(0x80 | (boot.Persistent ? 0x40 : 0) | (boot.Uefi ? 0x20 : 0));
        byte selector = boot.Device switch
        {
            BootDevice.Pxe => 0x1,
            BootDevice.Disk => 0x2,
            _ => 0x6,
        };
        return [flags, (byte)(selector << 2), 0x00, 0x00, 0x00];
    }
}
