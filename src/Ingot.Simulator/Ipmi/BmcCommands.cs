using Ingot.Bmc;
using Ingot.Bmc.Ipmi;

namespace Ingot.Simulator.Ipmi;

/// <summary>The in-session commands that read or change the simulated machine. Session-management commands
/// (privilege, close) live with the session table because they change it.</summary>
internal sealed class BmcCommands(SimulatedBmc bmc)
{
    /// <summary>Get Device ID's additional device support: chassis, FRU inventory, SEL and SDR repository devices.
    /// Tools read FRU, SDR and SEL only from a BMC that announces them (ipmitool's sdr, pyghmi's get_inventory).</summary>
    public const byte DeviceSupport = 0x80 | 0x08 | 0x04 | 0x02;

    private readonly BootOptions bootOptions = new(bmc);
    private readonly StorageCommands storage = new(bmc);

    /// <summary>Runs one command at the session's current privilege; anything unknown is 0xC1.</summary>
    public CommandResult Handle(byte netFn, byte command, ReadOnlySpan<byte> data, IpmiPrivilege privilege)
    {
        var needed = Required(netFn, command);
        if (needed is null) return CommandResult.Fail(CompletionCodes.InvalidCommand);
        if (privilege < needed) return CommandResult.Fail(CompletionCodes.InsufficientPrivilege);
        return (netFn, command) switch
        {
            (IpmiCommands.NetFnApp, IpmiCommands.GetDeviceId) => DeviceId(),
            (IpmiCommands.NetFnApp, IpmiCommands.GetChannelAuthCapabilities) => ChannelCommands.AuthCapabilities(data),
            (IpmiCommands.NetFnApp, IpmiCommands.GetChannelCipherSuites) => ChannelCommands.CipherSuites(data),
            (IpmiCommands.NetFnApp, IpmiCommands.GetChannelInfo) => ChannelCommands.Info(data),
            (IpmiCommands.NetFnApp, IpmiCommands.GetSystemGuid) => CommandResult.Ok(bmc.Guid.ToByteArray()),
            (IpmiCommands.NetFnStorage, _) => storage.Handle(command, data),
            (IpmiCommands.NetFnChassis, IpmiCommands.GetChassisStatus) => ChassisStatus(),
            (IpmiCommands.NetFnChassis, IpmiCommands.ChassisControl) => ChassisControl(data),
            (IpmiCommands.NetFnChassis, IpmiCommands.SetSystemBootOptions) => bootOptions.Set(data),
            (IpmiCommands.NetFnChassis, IpmiCommands.GetSystemBootOptions) => bootOptions.Get(data),
            _ => CommandResult.Fail(CompletionCodes.InvalidCommand),
        };
    }

    /// <summary>The privilege each command needs (IPMI 2.0 appendix G); null for commands we do not implement.</summary>
    private static IpmiPrivilege? Required(byte netFn, byte command) => (netFn, command) switch
    {
        (IpmiCommands.NetFnApp, IpmiCommands.GetDeviceId or IpmiCommands.GetChannelAuthCapabilities or IpmiCommands.GetChannelCipherSuites
            or IpmiCommands.GetChannelInfo or IpmiCommands.GetSystemGuid) => IpmiPrivilege.User,
        (IpmiCommands.NetFnStorage, _) when StorageCommands.Implements(command) => IpmiPrivilege.User,
        (IpmiCommands.NetFnChassis, IpmiCommands.GetChassisStatus or IpmiCommands.GetSystemBootOptions) => IpmiPrivilege.User,
        (IpmiCommands.NetFnChassis, IpmiCommands.ChassisControl or IpmiCommands.SetSystemBootOptions) => IpmiPrivilege.Operator,
        _ => null,
    };

    private CommandResult DeviceId()
    {
        // Manufacturer id 0 ("unspecified"): ipmitool uses the id to pick OEM quirks, and we want none.
        return CommandResult.Ok(
            0x20, 0x01, // device id, revision (device provides no SDRs)
            0x01, 0x00, // firmware 1.00, device available
            0x02, // IPMI version 2.0
            DeviceSupport,
            0x00, 0x00, 0x00, // manufacturer id
            0x01, 0x00, // product id
            0x00, 0x00, 0x00, 0x00);
    }

    private CommandResult ChassisStatus()
    {
        var on = bmc.Power == PowerState.On;
        return CommandResult.Ok(
            (byte)((on ? 0x01 : 0x00) | 0x20), // power state; restore policy "previous"
            0x00, // last power event
            0x00); // misc chassis state
    }

    private CommandResult ChassisControl(ReadOnlySpan<byte> data)
    {
        if (data.Length != 1) return CommandResult.Fail(CompletionCodes.RequestDataLengthInvalid);
        PowerAction? action = (data[0] & 0x0F) switch
        {
            0 => PowerAction.Off,
            1 => PowerAction.On,
            2 => PowerAction.Cycle,
            3 => PowerAction.Reset,
            5 => PowerAction.SoftOff,
            _ => null,
        };
        if (action is null) return CommandResult.Fail(CompletionCodes.InvalidDataField);
        bmc.Apply(action.Value);
        return CommandResult.Ok();
    }
}
