namespace Ingot.Bmc.Ipmi;

/// <summary>The IPMI 2.0 driver: power, boot device and device information over one reused RMCP+ session.
/// The session opens on first use and is replaced after a command goes unanswered.</summary>
public sealed class IpmiBmc(BmcTarget target, IpmiTransport transport) : IBmc, IPowerControl, IBootDeviceControl, IDeviceInfoSource
{
    private readonly SemaphoreSlim opening = new(1, 1);
    private IpmiSession? session;

    public IpmiBmc(BmcTarget target) : this(target, IpmiTransport.Shared) { }

    public BmcTarget Target { get; } = target;

    public async Task<PowerState> GetPowerStateAsync(CancellationToken ct = default)
    {
        var data = await SendAsync("Get Chassis Status", IpmiCommands.NetFnChassis, IpmiCommands.GetChassisStatus, [], IpmiPrivilege.User, ct);
        if (data.Length < 1) throw new BmcMalformedReplyException(Target.Name, "Get Chassis Status answer has no data");
        return (data[0] & 0x01) != 0 ? PowerState.On : PowerState.Off;
    }

    public Task SendPowerAsync(PowerAction action, CancellationToken ct = default)
    {
        // Chassis Control codes (IPMI 2.0 §28.3).
        byte code = action switch
        {
            PowerAction.Off => 0,
            PowerAction.On => 1,
            PowerAction.Cycle => 2,
            PowerAction.Reset => 3,
            PowerAction.SoftOff => 5,
            _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
        };
        return SendAsync($"Chassis Control ({action})", IpmiCommands.NetFnChassis, IpmiCommands.ChassisControl, [code], IpmiPrivilege.Operator, ct);
    }

    public Task SetBootDeviceAsync(BootSettings settings, CancellationToken ct = default)
    {
        byte[] data = [IpmiCommands.BootFlagsParameter, .. BootFlags.Encode(settings)];
        return SendAsync("Set System Boot Options (boot flags)", IpmiCommands.NetFnChassis, IpmiCommands.SetSystemBootOptions, data, IpmiPrivilege.Operator, ct);
    }

    public async Task<BootSettings> GetBootDeviceAsync(CancellationToken ct = default)
    {
        var data = await SendAsync("Get System Boot Options (boot flags)", IpmiCommands.NetFnChassis,
            IpmiCommands.GetSystemBootOptions, [IpmiCommands.BootFlagsParameter, 0, 0], IpmiPrivilege.Operator, ct);
        // Parameter version, parameter selector, then the five boot-flag bytes.
        if (data.Length < 4 || (data[1] & 0x7F) != IpmiCommands.BootFlagsParameter)
            throw new BmcMalformedReplyException(Target.Name, "Get System Boot Options answer is not the boot flags");
        return BootFlags.Decode(data.AsSpan(2));
    }

    public async Task<DeviceInfo> GetDeviceInfoAsync(CancellationToken ct = default)
    {
        var data = await SendAsync("Get Device ID", IpmiCommands.NetFnApp, IpmiCommands.GetDeviceId, [], IpmiPrivilege.User, ct);
        if (data.Length < 11) throw new BmcMalformedReplyException(Target.Name, "Get Device ID answer is too short");
        var manufacturer = (uint)(data[6] | data[7] << 8 | (data[8] & 0x0F) << 16);
        var product = (ushort)(data[9] | data[10] << 8);
        var firmware = $"{data[2] & 0x7F}.{data[3]:x2}"; // minor revision is BCD
        var details = new Dictionary<string, string>
        {
            ["device_id"] = data[0].ToString(),
            ["device_revision"] = (data[1] & 0x0F).ToString(),
            ["ipmi_version"] = $"{data[4] & 0x0F}.{data[4] >> 4}",
            ["manufacturer_id"] = manufacturer.ToString(),
            ["product_id"] = product.ToString(),
            ["cipher_suite"] = session?.Suite.Id.ToString() ?? "",
        };
        var guid = session is { } s ? FormatGuid(s.BmcGuid) : null;
        return new DeviceInfo($"IANA {manufacturer}", $"product 0x{product:x4}", firmware, guid, details);
    }

    private static string FormatGuid(byte[] wire)
    {
        var hex = Convert.ToHexStringLower(wire);
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }

    /// <param name="needed">The least privilege the command takes (IPMI 2.0 appendix G): reads stay at USER, and open
    /// a session at USER for an account that may not have more.</param>
    private async Task<byte[]> SendAsync(string what, byte netFn, byte command, byte[] data, IpmiPrivilege needed, CancellationToken ct)
    {
        var current = await SessionAsync(needed, ct);
        try
        {
            return await current.SendAsync(what, netFn, command, data, needed, ct);
        }
        finally
        {
            if (current.IsBroken) await DropAsync(current);
        }
    }

    private async Task<IpmiSession> SessionAsync(IpmiPrivilege needed, CancellationToken ct)
    {
        if (session is { IsBroken: false } open) return open;
        await opening.WaitAsync(ct);
        try
        {
            if (session is { IsBroken: false } again) return again;
            try
            {
                return session = await IpmiSession.OpenAsync(transport, Target, ct);
            }
            catch (BmcAuthenticationException e) when (e.RoleRefused && Target.Privilege is null && needed <= IpmiPrivilege.User)
            {
                // A target that names no privilege asks for Operator (BmcTarget.Privilege); an account with User rights
                // only is refused that role at RAKP 1, yet may read: open its session at User. A later power command on
                // it is refused by the BMC as insufficient privilege, which says what is wrong.
                return session = await IpmiSession.OpenAsync(transport, Target with { Privilege = IpmiPrivilege.User }, ct);
            }
        }
        finally
        {
            opening.Release();
        }
    }

    private async Task DropAsync(IpmiSession broken)
    {
        if (Interlocked.CompareExchange(ref session, null, broken) == broken) await broken.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        var last = Interlocked.Exchange(ref session, null);
        if (last is not null) await last.DisposeAsync();
    }
}

/// <summary>Boot flags, System Boot Options parameter 5 (IPMI 2.0 table 28-14).</summary>
internal static class BootFlags
{
    private const byte Valid = 0x80, Persistent = 0x40, Efi = 0x20;

    public static byte[] Encode(BootSettings settings)
    {
        byte device = settings.Device switch
        {
            BootDevice.Pxe => 0x04,
            BootDevice.Disk => 0x08,
            BootDevice.BiosSetup => 0x18,
            _ => 0x00,
        };
        var flags = (byte)(Valid | (settings.Persistent ? Persistent : 0) | (settings.Uefi ? Efi : 0));
        return [flags, device, 0, 0, 0];
    }

    /// <summary>The device is decoded whether or not the valid bit is set: a BMC that applies the device but never
    /// reports the bit (ipmi_sim) is told apart from one that holds no override by the device, not by the bit
    /// (<see cref="BootConfirmation"/> judges the read-back).</summary>
    public static BootSettings Decode(ReadOnlySpan<byte> flags)
    {
        var persistent = (flags[0] & Persistent) != 0;
        var uefi = (flags[0] & Efi) != 0;
        var device = (flags.Length > 1 ? flags[1] & 0x3C : 0) switch
        {
            0x04 => BootDevice.Pxe,
            0x08 => BootDevice.Disk,
            0x18 => BootDevice.BiosSetup,
            _ => BootDevice.None,
        };
        return new BootSettings(device, persistent, uefi, Valid: (flags[0] & Valid) != 0);
    }
}
