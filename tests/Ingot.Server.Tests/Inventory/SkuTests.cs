using System.Net;
using System.Net.Http.Json;
using System.Text;
using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.Inventory;

public sealed class SkuTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static readonly string[] HardwareFields = ["cpu_cores", "disk_count", "disk_gb", "memory_gb", "nic_count"];

    private TestServer Server => fixture.Server;

    private static SkuCreate HighIo(string name) => new(name, 64, 512, 8, 3840, 2, "NVMe heavy");

    [Fact]
    public async Task Create_get_list_patch_delete_round_trip()
    {
        var name = Unique.Name("high-io");
        var created = await Server.Admin.CreateSkuAsync(HighIo(name));
        Assert.Equal((name, 64, 512, 8, 3840, 2, "NVMe heavy"),
            (created.Name, created.CpuCores, created.MemoryGb, created.DiskCount, created.DiskGb, created.NicCount, created.Description));
        Assert.Equal(created, await Server.Admin.GetSkuAsync(name));
        Assert.Contains(created, await Server.Admin.ListSkusAsync());

        using var http = Server.Http();
        var patched = await (await http.PatchAsJsonAsync($"api/v1/skus/{name}", new { memory_gb = 1024, nic_count = 4 }))
            .Content.ReadFromJsonAsync<SkuView>(IngotJson.Options);
        Assert.Equal(created with { MemoryGb = 1024, NicCount = 4 }, patched);
        Assert.Equal(patched, await Server.Admin.GetSkuAsync(name));

        await Server.Admin.DeleteSkuAsync(name);
        Assert.Equal(404, (await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.GetSkuAsync(name))).Status);
    }

    [Fact]
    public async Task An_empty_description_in_a_patch_clears_it_and_an_absent_one_keeps_it()
    {
        var name = Unique.Name("sku");
        await Server.Admin.CreateSkuAsync(HighIo(name));
        using var http = Server.Http();
        await http.PatchAsJsonAsync($"api/v1/skus/{name}", new { cpu_cores = 32 });
        Assert.Equal("NVMe heavy", (await Server.Admin.GetSkuAsync(name)).Description);
        await http.PatchAsJsonAsync($"api/v1/skus/{name}", new { description = "" });
        Assert.Null((await Server.Admin.GetSkuAsync(name)).Description);
    }

    [Fact]
    public async Task Create_with_nothing_names_every_required_field()
    {
        using var http = Server.Http();
        var problem = await (await http.PostAsJsonAsync("api/v1/skus", new { })).ProblemAsync((HttpStatusCode)422);
        Assert.Equal(HardwareFields.Append("name").Order(), problem.Errors!.Keys.Order());
        Assert.Equal("https://ingot.dev/problems/validation", problem.Type);
    }

    [Fact]
    public async Task Create_with_out_of_range_values_names_each_bad_field_and_no_good_one()
    {
        using var http = Server.Http();
        var body = new SkuCreate(Unique.Name("bad"), CpuCores: 0, MemoryGb: 65537, DiskCount: -1, DiskGb: 1_000_001, NicCount: 65);
        var problem = await (await http.PostAsJsonAsync("api/v1/skus", body, IngotJson.Options)).ProblemAsync((HttpStatusCode)422);
        Assert.Equal(HardwareFields, problem.Errors!.Keys.Order());
        Assert.Contains("between 1 and 4096", problem.Errors["cpu_cores"][0]);
        Assert.Equal(404, (await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.GetSkuAsync(body.Name!))).Status);
    }

    [Theory]
    [InlineData(1, 1, 0, 0, 0)]
    [InlineData(4096, 65536, 256, 1_000_000, 64)]
    public async Task The_range_limits_themselves_are_accepted(int cpu, int memory, int disks, int diskGb, int nics)
    {
        var sku = await Server.Admin.CreateSkuAsync(new SkuCreate(Unique.Name("edge"), cpu, memory, disks, diskGb, nics));
        Assert.Equal((cpu, memory, disks, diskGb, nics), (sku.CpuCores, sku.MemoryGb, sku.DiskCount, sku.DiskGb, sku.NicCount));
    }

    [Fact]
    public async Task Patch_validates_every_given_field_and_changes_nothing_when_one_is_bad()
    {
        var name = Unique.Name("sku");
        var before = await Server.Admin.CreateSkuAsync(HighIo(name));
        using var http = Server.Http();
        var problem = await (await http.PatchAsJsonAsync($"api/v1/skus/{name}", new { name = "other", cpu_cores = 5000, disk_gb = -3, nic_count = 8 }))
            .ProblemAsync((HttpStatusCode)422);
        Assert.Equal(new[] { "cpu_cores", "disk_gb", "name" }, problem.Errors!.Keys.Order());
        Assert.Equal(before, await Server.Admin.GetSkuAsync(name));
    }

    [Fact]
    public async Task Patch_of_an_unknown_sku_is_404()
    {
        using var http = Server.Http();
        await (await http.PatchAsJsonAsync("api/v1/skus/no-such-sku", new { cpu_cores = 2 })).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Duplicate_name_is_409()
    {
        var name = Unique.Name("dup");
        await Server.Admin.CreateSkuAsync(HighIo(name));
        var error = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.CreateSkuAsync(HighIo(name.ToUpperInvariant())));
        Assert.Equal(409, error.Status);
        Assert.Contains(name, error.Problem.Detail);
    }

    [Fact]
    public async Task A_sku_used_by_a_machine_cannot_be_deleted()
    {
        var sku = await Server.Admin.CreateSkuAsync(HighIo(Unique.Name("used")));
        await ReferencingMachine.InsertAsync(Server, skuId: sku.Id);
        var error = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.DeleteSkuAsync(sku.Name));
        Assert.Equal(409, error.Status);
        Assert.Contains("1 machine", error.Problem.Detail);
        Assert.Equal(sku, await Server.Admin.GetSkuAsync(sku.Name));
    }

    [Fact]
    public async Task Malformed_json_is_a_400_problem_saying_where()
    {
        using var http = Server.Http();
        var response = await http.PostAsync("api/v1/skus", new StringContent("{\"name\": \"x\", \"cpu_cores\": ", Encoding.UTF8, "application/json"));
        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("not valid JSON", problem.Detail);
    }

    [Fact]
    public async Task An_unknown_field_is_a_400_naming_it_rather_than_being_ignored()
    {
        using var http = Server.Http();
        var response = await http.PostAsync("api/v1/skus",
            new StringContent("{\"name\": \"x\", \"cpu_cores\": 1, \"cpu_count\": 2}", Encoding.UTF8, "application/json"));
        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("cpu_count", problem.Detail);
    }

    [Fact]
    public async Task A_number_sent_as_text_is_a_400()
    {
        using var http = Server.Http();
        var response = await http.PostAsync("api/v1/skus",
            new StringContent("{\"name\": \"x\", \"cpu_cores\": \"8\"}", Encoding.UTF8, "application/json"));
        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("cpu_cores", problem.Detail);
    }
}
