using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Skus;

public sealed class SkuCommandsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task A_sku_created_with_its_hardware_is_listed_with_it()
    {
        using var cli = CliRunner.For(Server);
        var name = Unique.Name("high-io");
        await cli.OkAsync("skus", "create", name, "--cpu-cores", "64", "--memory-gb", "512", "--disk-count", "8",
            "--disk-gb", "3840", "--nic-count", "2", "--description", "storage nodes", "--hourly-price", "1.75");

        var list = await cli.OkAsync("skus", "list");
        Assert.Equal(["NAME", "CPU", "CORES", "MEMORY", "GB", "DISKS", "NICS", "PRICE/H", "DESCRIPTION"], Lines.Cells(Lines.Of(list.Out)[0]));
        Assert.Equal([name, "64", "512", "8", "x", "3840", "GB", "2", "1.75", "storage", "nodes"], Lines.Row(list.Out, name));

        var sku = (await cli.OkAsync("skus", "list", "-o", "json")).Json<List<SkuView>>().Single(s => s.Name == name);
        Assert.Equal((64, 512, 8, 3840, 2, 1.75m), (sku.CpuCores, sku.MemoryGb, sku.DiskCount, sku.DiskGb, sku.NicCount, sku.HourlyPrice));

        // A new price; the rest stays.
        var updated = (await cli.OkAsync("skus", "update", name, "--hourly-price", "2", "-o", "json")).Json<SkuView>();
        Assert.Equal((2m, 64, "storage nodes"), (updated.HourlyPrice, updated.CpuCores, updated.Description));
    }

    [Fact]
    public async Task Missing_hardware_is_one_422_naming_every_missing_field_on_its_own_line()
    {
        using var cli = CliRunner.For(Server);
        var result = await cli.FailsAsync(1, "skus", "create", Unique.Name("sku"), "--cpu-cores", "8");
        Assert.StartsWith("error: Invalid request (422):", result.Error);
        foreach (var field in new[] { "memory_gb", "disk_count", "disk_gb", "nic_count" })
            Assert.Contains(Lines.Of(result.Error), line => line.StartsWith($"  {field}: "));
    }

    [Fact]
    public async Task Delete_removes_the_sku()
    {
        using var cli = CliRunner.For(Server);
        var name = Unique.Name("sku");
        await cli.OkAsync("skus", "create", name, "--cpu-cores", "8", "--memory-gb", "32", "--disk-count", "1", "--disk-gb", "480", "--nic-count", "1");
        await cli.OkAsync("skus", "delete", name);
        Assert.DoesNotContain(name, (await cli.OkAsync("skus", "list")).Out);
    }
}
