using System.CommandLine;
using Ingot.Bmc;

namespace Ingot.Commands.Bmc;

/// <summary>`ingot bmc bootdev pxe|disk|bios [--persistent] [--uefi]`: the device the machine boots from
/// next (or every time, with --persistent). Prints what the BMC reports afterwards, not what was asked, with the
/// server's verdict (<see cref="BootConfirmation"/>): another device read back fails (exit 1); flags the BMC does not
/// report are named on stderr and in the JSON's quirks, and the command succeeds.</summary>
internal static class BootdevCommand
{
    public sealed record BootView(string Bmc, string Device, bool Persistent, bool Uefi, IReadOnlyList<string> Quirks);

    public static Command Create(CliContext context)
    {
        var device = new Argument<string>("device") { Description = "pxe (network), disk, or bios (firmware setup)." };
        device.AcceptOnlyFromAmong("pxe", "disk", "bios");
        var persistent = new Option<bool>("--persistent") { Description = "Every boot, not only the next one." };
        var uefi = new Option<bool>("--uefi") { Description = "Boot in UEFI mode (default legacy BIOS)." };
        var command = new Command("bootdev", "Set the boot device for the next boot (or every boot).") { device, persistent, uefi };
        return command.SetBmc(context, async (bmc, output, parse, ct) =>
        {
            var control = BmcAction.Require<IBootDeviceControl>(bmc, "set the boot device");
            var wanted = parse.GetValue(device) switch { "pxe" => BootDevice.Pxe, "disk" => BootDevice.Disk, _ => BootDevice.BiosSetup };
            var outcome = await BootConfirmation.SetAsync(control, bmc.Target.Name,
                new BootSettings(wanted, parse.GetValue(persistent), parse.GetValue(uefi)), ct);
            var now = outcome.ReadBack;
            var view = new BootView(bmc.Target.Name, BootConfirmation.DeviceName(now.Device), now.Persistent, now.Uefi, outcome.Quirks);
            if (output.IsJson) await output.JsonAsync(view, ct);
            else await output.LineAsync($"boot device: {view.Device} ({(now.Persistent ? "persistent" : "next boot only")}, {(now.Uefi ? "uefi" : "legacy")})", ct);
            if (outcome.Quirks.Count > 0) await output.NoteAsync($"note: {BootConfirmation.DescribeQuirks(outcome.Quirks)}", ct);
            return 0;
        });
    }
}
