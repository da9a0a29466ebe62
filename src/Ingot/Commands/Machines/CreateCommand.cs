using System.CommandLine;
using Ingot.Client;

namespace Ingot.Commands.Machines;

/// <summary>`ingot machines create`: add one machine by hand (discovery and CSV import are the other doors).</summary>
internal static class CreateCommand
{
    public static Command Create(CliContext context)
    {
        var serial = new Option<string?>("--serial") { Description = "Serial number; the hardware_name derives from it.", Required = true };
        var vendor = new Option<string?>("--vendor") { Description = "Vendor, e.g. Dell." };
        var model = new Option<string?>("--model") { Description = "Model, e.g. R650." };
        var site = new Option<string?>("--site") { Description = "Site it sits in." };
        var rack = new Option<string?>("--rack") { Description = "Rack within the site." };
        var unit = new Option<int?>("--unit") { Description = "Rack unit." };
        var sku = new Option<string?>("--sku") { Description = "Hardware configuration (SKU)." };
        var hostname = new Option<string?>("--hostname") { Description = "Hostname (machines have one only while they have a role)." };
        var role = new Option<string?>("--role") { Description = "Role." };
        var nics = new Option<string[]>("--nic") { Description = "A network interface as MAC[,name[,ip]] (repeatable).", HelpName = "mac[,name[,ip]]" };
        var bmcDriver = new Option<string?>("--bmc-driver") { Description = "BMC driver, e.g. ipmi or redfish." };
        var bmcAddress = new Option<string?>("--bmc-address") { Description = "BMC host or IP address." };
        var bmcPort = new Option<int?>("--bmc-port") { Description = "BMC port, when not the driver's default." };
        var bmcUser = new Option<string?>("--bmc-user") { Description = "BMC user name." };
        // A file or stdin, never a flag: command lines are visible to every user on the host and kept in shell history.
        var bmcPasswordFile = new Option<string?>("--bmc-password-file") { Description = "Read the BMC password from this file, or '-' for stdin.", HelpName = "path" };
        var tags = new Option<string[]>("--tag") { Description = "A tag (repeatable)." };

        var command = new Command("create", "Add a machine to the inventory.")
        {
            serial, vendor, model, site, rack, unit, sku, hostname, role, nics,
            bmcDriver, bmcAddress, bmcPort, bmcUser, bmcPasswordFile, tags,
        };
        return command.Set(context, async (s, parse, ct) =>
        {
            var password = parse.GetValue(bmcPasswordFile) is { } path
                ? await TextInput.ReadSecretAsync(s.Context, path, "BMC password", ct)
                : null;
            var bmc = new BmcInput(parse.GetValue(bmcDriver), parse.GetValue(bmcAddress), parse.GetValue(bmcPort), parse.GetValue(bmcUser), password);
            var machine = await s.Client.CreateMachineAsync(new MachineCreate(
                parse.GetValue(serial), parse.GetValue(vendor), parse.GetValue(model), parse.GetValue(site), parse.GetValue(rack),
                parse.GetValue(unit), parse.GetValue(sku), parse.GetValue(hostname), parse.GetValue(role),
                parse.GetValue(nics) is { Length: > 0 } given ? [.. given.Select(ParseNic)] : null,
                bmc == new BmcInput(null, null) ? null : bmc,
                parse.GetValue(tags) is { Length: > 0 } t ? t : null), ct);
            await s.Output.WriteAsync(machine, MachineTable.Details, ct);
            return 0;
        });
    }

    /// <summary>MAC[,name[,ip]]; the server validates the MAC and the address.</summary>
    public static NicInput ParseNic(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length > 3 || parts[0].Length == 0)
            throw new UsageException($"--nic '{text}' is not MAC[,name[,ip]], e.g. --nic 02:00:00:00:00:01,eth0,10.0.0.5.");
        return new NicInput(parts[0], parts.ElementAtOrDefault(1) is { Length: > 0 } name ? name : null,
            parts.ElementAtOrDefault(2) is { Length: > 0 } ip ? ip : null);
    }
}
