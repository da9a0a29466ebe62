using System.CommandLine;
using Ingot.Client;

namespace Ingot.Commands.Machines;

/// <summary>`ingot machines import FILE|-`: many machines from a CSV; the good rows are kept even when some are bad.</summary>
internal static class ImportCommand
{
    public const string Columns =
        "serial, vendor, model, site, rack, unit, sku, hostname, role, macs (separated by spaces or ';'), " +
        "bmc_driver, bmc_address, bmc_port, bmc_username, bmc_password, tags";

    public static Command Create(CliContext context)
    {
        var file = new Argument<string>("file") { Description = $"The CSV file, or '-' to read it from stdin. A header row names the columns: {Columns}." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Check every row and report, but save nothing." };
        return new Command("import", "Import machines from a CSV; reports each bad line, keeps the good ones, exits 1 if any was rejected.")
        {
            file, dryRun,
        }.Set(context, async (s, parse, ct) =>
        {
            var csv = await TextInput.ReadAsync(s.Context, parse.GetValue(file)!, "CSV", ct);
            var result = await s.Client.ImportMachinesAsync(csv, parse.GetValue(dryRun), ct);
            if (s.Output.IsJson) await s.Output.JsonAsync(result, ct);
            else
            {
                var verb = result.DryRun ? "would be accepted" : "accepted";
                await s.Output.LineAsync($"{result.Accepted} {verb}, {result.Rejected} rejected{(result.DryRun ? " (dry run: nothing was saved)" : "")}.", ct);
                // The bad lines are diagnostics, as from a compiler: stderr, one a line, so they can be fixed in order.
                foreach (var error in result.Errors)
                    await s.Output.NoteAsync($"line {error.Line}: {error.Reason}", ct);
            }
            return result.Rejected > 0 ? Failures.ServerError : 0;
        });
    }
}
