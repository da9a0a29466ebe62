using System.CommandLine;
using Ingot.Bmc;

namespace Ingot.Commands.Bmc;

/// <summary>`ingot bmc bootdev pxe|disk|bios [--persistent] [--uefi|--legacy]`: the device the machine boots from
/// next (or every time, with --persistent). Prints what the BMC reports afterwards, not what was asked, with the
/// server's verdict (<see cref="BootConfirmation"/>): another device read back fails (exit 1); flags the BMC does not
/// report are named on stderr and in the JSON's quirks, and the command succeeds.</summary>
/// <remarks>Without --uefi or --legacy the boot mode is kept where the BMC can say what it is: Redfish reports the
/// system's BootSourceOverrideMode, which is sent back unchanged (a UEFI system stays UEFI). IPMI cannot: its boot
/// flags always carry a BIOS boot type, and its read-back is of the last override, not the machine's mode; the
/// override then asks for a legacy (PC-compatible) boot, as ipmitool's bootdev does, and a note says so.
/// Tests: Bootdev_over_redfish_keeps_the_systems_boot_mode_unless_told, Bootdev_over_ipmi_without_a_mode_says_it_asks_for_legacy.</remarks>
internal static class BootdevCommand
{
    public sealed record BootView(string Bmc, string Device, bool Persistent, bool Uefi, IReadOnlyList<string> Quirks);

    public static Command Create(CliContext context)
    {
        var device = new Argument<string>("device") { Description = "pxe (network), disk, or bios (firmware setup)." };
        device.AcceptOnlyFromAmong("pxe", "disk", "bios");
        var persistent = new Option<bool>("--persistent") { Description = "Every boot, not only the next one." };
        var uefi = new Option<bool>("--uefi") { Description = "Boot in UEFI mode." };
        var legacy = new Option<bool>("--legacy") { Description = "Boot in legacy BIOS mode. Without --uefi or --legacy, Redfish keeps the system's " +
                                                                  "current mode; IPMI cannot read it and asks for legacy." };
        var command = new Command("bootdev", "Set the boot device for the next boot (or every boot).") { device, persistent, uefi, legacy };
        command.Validators.Add(r =>
        {
            if (r.GetValue(uefi) && r.GetValue(legacy)) r.AddError("--uefi and --legacy exclude each other; pass one of them, or neither to keep the mode.");
        });
        return command.SetBmc(context, async (bmc, output, parse, ct) =>
        {
            var control = BmcAction.Require<IBootDeviceControl>(bmc, "set the boot device");
            var wanted = parse.GetValue(device) switch { "pxe" => BootDevice.Pxe, "disk" => BootDevice.Disk, _ => BootDevice.BiosSetup };
            bool? asked = parse.GetValue(uefi) ? true : parse.GetValue(legacy) ? false : null;
            var keeps = bmc.Target.Driver == BmcDrivers.Redfish;
            var mode = asked ?? (keeps && (await control.GetBootDeviceAsync(ct)).Uefi);
            var outcome = await BootConfirmation.SetAsync(control, bmc.Target.Name, new BootSettings(wanted, parse.GetValue(persistent), mode), ct);
            var now = outcome.ReadBack;
            var view = new BootView(bmc.Target.Name, BootConfirmation.DeviceName(now.Device), now.Persistent, now.Uefi, outcome.Quirks);
            if (output.IsJson) await output.JsonAsync(view, ct);
            else await output.LineAsync($"boot device: {view.Device} ({(now.Persistent ? "persistent" : "next boot only")}, {(now.Uefi ? "uefi" : "legacy")})", ct);
            if (asked is null && !keeps)
                await output.NoteAsync("note: IPMI cannot read the machine's boot mode, so this override asks for a legacy BIOS boot; " +
                                       "pass --uefi for a UEFI machine (--legacy to say so and skip this note).", ct);
            if (outcome.Quirks.Count > 0) await output.NoteAsync($"note: {BootConfirmation.DescribeQuirks(outcome.Quirks)}", ct);
            return 0;
        });
    }
}
