using System.CommandLine;
using System.Text.Json;
using Ingot.Client;

namespace Ingot.Commands.Power;

/// <summary>`ingot boot-device HOST… --device pxe|disk|bios_setup`: set what machines boot from next, read back
/// from each BMC by the job.</summary>
internal static class BootDeviceCommand
{
    public static Command Create(CliContext context)
    {
        var device = new Option<string>("--device")
        {
            Description = "What to boot from: pxe (the network), disk, or bios_setup (the firmware's setup screen).",
            Required = true,
        };
        device.AcceptOnlyFromAmong("pxe", "disk", "bios_setup");
        var persistent = new Option<bool>("--persistent") { Description = "Keep the device for every boot, not just the next one." };
        var legacy = new Option<bool>("--legacy") { Description = "Boot in legacy BIOS mode rather than UEFI." };
        var command = new Command("boot-device", "Set the boot device of machines (next boot only unless --persistent). " + HostJobs.Outcome)
        {
            device, persistent, legacy,
        };
        var hosts = HostJobs.AddTo(command);
        return command.Set(context, (s, parse, ct) => hosts.RunAsync(s, parse, JobActions.SetBootDevice, new Dictionary<string, JsonElement>
        {
            ["device"] = HostJobs.Param(parse.GetValue(device)),
            ["persistent"] = HostJobs.Param(parse.GetValue(persistent)),
            ["mode"] = HostJobs.Param(parse.GetValue(legacy) ? "legacy" : "uefi"),
        }, ct));
    }
}
