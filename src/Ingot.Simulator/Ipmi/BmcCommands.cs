using Ingot.Bmc;

namespace Ingot.Simulator.Ipmi;

/// <summary>The in-session commands that read or change the simulated machine. Session-management commands
/// (privilege, close) live with the session table because they change it.</summary>
internal sealed class BmcCommands(SimulatedBmc bmc)
{
    private readonly BootOptions bootOptions = new(bmc);

    /// <summary>Runs one command at the session's current privilege; anything unknown is 0xC1.</summary>
    public CommandResult Handle(byte netFn, byte command, ReadOnlySpan<byte> data, IpmiPrivilege privilege)
    {
        var needed = Required(netFn, command);
        if (needed is null) return CommandResult.Fail(Cc.InvalidCommand);
        if (privilege < needed) return CommandResult.Fail(Cc.InsufficientPrivilege);
        return (netFn, command) switch
        {
            (Cmd.NetFnApp, Cmd.GetDeviceId) => DeviceId(),
            (Cmd.NetFnApp, Cmd.GetChannelAuthCapabilities) => ChannelCommands.AuthCapabilities(data),
            (Cmd.NetFnApp, Cmd.GetChannelCipherSuites) => ChannelCommands.CipherSuites(data),
            (Cmd.NetFnChassis, Cmd.GetChassisStatus) => ChassisStatus(),
            (Cmd.NetFnChassis, Cmd.ChassisControl) => ChassisControl(data),
            (Cmd.NetFnChassis, Cmd.SetSystemBootOptions) => bootOptions.Set(data),
            (Cmd.NetFnChassis, Cmd.GetSystemBootOptions) => bootOptions.Get(data),
            _ => CommandResult.Fail(Cc.InvalidCommand),
        };
    }

    /// <summary>The privilege each command needs (IPMI 2.0 appendix G); null for commands we do not implement.</summary>
    private static IpmiPrivilege? Required(byte netFn, byte command) => (netFn, command) switch
    {
        (Cmd.NetFnApp, Cmd.GetDeviceId or Cmd.GetChannelAuthCapabilities or Cmd.GetChannelCipherSuites) => IpmiPrivilege.User,
        (Cmd.NetFnChassis, Cmd.GetChassisStatus or Cmd.GetSystemBootOptions) => IpmiPrivilege.User,
        (Cmd.NetFnChassis, Cmd.ChassisControl or Cmd.SetSystemBootOptions) => IpmiPrivilege.Operator,
        _ => null,
    };

    private CommandResult DeviceId()
    {
        // Manufacturer id 0 ("unspecified"): ipmitool uses the id to pick OEM quirks, and we want none.
        return CommandResult.Ok(
            0x20, 0x01, // device id, revision (device provides no SDRs)
            0x01, 0x00, // firmware 1.00, device available
            0x02, // IPMI version 2.0
            0x80, // additional device support: chassis device
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
        if (data.Length != 1) return CommandResult.Fail(Cc.RequestDataLengthInvalid);
        PowerAction? action = (data[0] & 0x0F) switch
        {
            0 => PowerAction.Off,
            1 => PowerAction.On,
            2 => PowerAction.Cycle,
            3 => PowerAction.Reset,
            5 => PowerAction.SoftOff,
            _ => null,
        };
        if (action is null) return CommandResult.Fail(Cc.InvalidDataField);
        bmc.Apply(action.Value);
        return CommandResult.Ok();
    }
}
