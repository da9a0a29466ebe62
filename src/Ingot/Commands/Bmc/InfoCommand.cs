using System.CommandLine;
using Ingot.Bmc;

namespace Ingot.Commands.Bmc;

/// <summary>`ingot bmc info`: what the BMC says it is.</summary>
internal static class InfoCommand
{
    public sealed record InfoView(string Bmc, string? Manufacturer, string? Model, string? FirmwareVersion, string? Guid,
        IReadOnlyDictionary<string, string> Details);

    public static Command Create(CliContext context) =>
        new Command("info", "Show the BMC's device information: manufacturer, model, firmware, GUID.").SetBmc(context, async (bmc, output, parse, ct) =>
        {
            var info = await BmcAction.Require<IDeviceInfoSource>(bmc, "read device information").GetDeviceInfoAsync(ct);
            var view = new InfoView(bmc.Target.Name, info.Manufacturer, info.Model, info.FirmwareVersion, info.Guid, info.Details);
            await output.WriteAsync(view, v => Output.Details(
            [
                ("BMC", v.Bmc), ("Manufacturer", v.Manufacturer), ("Model", v.Model), ("Firmware", v.FirmwareVersion), ("GUID", v.Guid),
                .. v.Details.Select(d => (d.Key, (object?)d.Value)),
            ]), ct);
            return 0;
        });
}
