using System.CommandLine;
using Ingot.Client;
using Spectre.Console.Rendering;

namespace Ingot.Commands.Skus;

/// <summary>`ingot skus list|create|update|delete`: the hardware configurations requests ask for, and what each costs an
/// hour (docs/cost.md).</summary>
internal static class SkuCommands
{
    public static Command Create(CliContext context) => new("skus", "Hardware configurations (SKUs): list, create, update, delete.")
    {
        List(context), New(context), Update(context), Delete(context),
    };

    private static Option<decimal?> Price() => new("--hourly-price")
    {
        Description = "What one machine of the SKU costs per hour while a team holds it, in the server's currency (ingot cost).",
    };

    private static Command List(CliContext context) =>
        new Command("list", "List the SKUs.").Set(context, async (s, _, ct) =>
        {
            await s.Output.WriteAsync(await s.Client.ListSkusAsync(ct), Table, ct);
            return 0;
        });

    private static Command New(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "SKU name, e.g. high-io-v2." };
        // Not Required here: the server names every missing field in one answer, which is more useful
        // than the parser stopping at the first.
        var cpu = new Option<int?>("--cpu-cores") { Description = "CPU cores." };
        var memory = new Option<int?>("--memory-gb") { Description = "Memory in GB." };
        var disks = new Option<int?>("--disk-count") { Description = "Number of data disks." };
        var diskSize = new Option<int?>("--disk-gb") { Description = "Size of each disk in GB." };
        var nics = new Option<int?>("--nic-count") { Description = "Number of network interfaces." };
        var description = new Option<string?>("--description") { Description = "A note on what the SKU is for." };
        var price = Price();
        return new Command("create", "Create a SKU.") { name, cpu, memory, disks, diskSize, nics, description, price }.Set(context, async (s, parse, ct) =>
        {
            var sku = await s.Client.CreateSkuAsync(new SkuCreate(
                parse.GetValue(name), parse.GetValue(cpu), parse.GetValue(memory), parse.GetValue(disks),
                parse.GetValue(diskSize), parse.GetValue(nics), parse.GetValue(description), HourlyPrice: parse.GetValue(price)), ct);
            await s.Output.WriteAsync(sku, one => Table([one]), ct);
            return 0;
        });
    }

    private static Command Update(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The SKU to change." };
        var description = new Option<string?>("--description") { Description = "A new note (\"\" clears it)." };
        var price = Price();
        return new Command("update", "Change a SKU's price or description.") { name, price, description }.Set(context, async (s, parse, ct) =>
        {
            if (parse.GetValue(price) is null && parse.GetValue(description) is null) throw new UsageException("Give --hourly-price or --description.");
            var sku = await s.Client.UpdateSkuAsync(parse.GetValue(name)!, new SkuCreate(null, null, null, null, null, null, parse.GetValue(description),
                HourlyPrice: parse.GetValue(price)), ct);
            await s.Output.WriteAsync(sku, one => Table([one]), ct);
            return 0;
        });
    }

    private static Command Delete(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The SKU to delete; no machine may have it." };
        return new Command("delete", "Delete an unused SKU.") { name }.Set(context, async (s, parse, ct) =>
        {
            await s.Client.DeleteSkuAsync(parse.GetValue(name)!, ct);
            if (!s.Output.IsJson) await s.Output.LineAsync($"Deleted SKU {parse.GetValue(name)}.", ct);
            return 0;
        });
    }

    private static IRenderable Table(IReadOnlyList<SkuView> skus)
    {
        var table = Output.Table("NAME", "CPU CORES", "MEMORY GB", "DISKS", "NICS", "PRICE/H", "DESCRIPTION");
        foreach (var sku in skus)
            Output.Row(table, sku.Name, sku.CpuCores, sku.MemoryGb, $"{sku.DiskCount} x {sku.DiskGb} GB", sku.NicCount, sku.HourlyPrice, sku.Description);
        return table;
    }
}
