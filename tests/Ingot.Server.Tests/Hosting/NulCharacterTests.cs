using System.Net;
using System.Text;
using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.Hosting;

/// <summary>A NUL character anywhere a client can put text is refused with a 422 that names where it was, on both
/// engines (PostgreSQL answered 500, SQLite stored it), and nothing is written (issue 11 D.1).</summary>
public sealed class NulCharacterTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    private async Task<Problem> PostAsync(string path, string json)
    {
        using var http = Server.Http();
        using var response = await http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        return await response.ProblemAsync(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task In_a_JSON_field_it_is_422_naming_the_field_and_nothing_is_created()
    {
        var name = Unique.Name("nul");
        var site = await PostAsync("api/v1/sites", $$"""{"name": "{{name}}\u0000x"}""");
        Assert.Equal(["name"], site.Errors!.Keys);
        Assert.DoesNotContain(await Server.Admin.ListSitesAsync(), s => s.Name.StartsWith(name, StringComparison.Ordinal));

        var serial = Unique.Serial();
        var machine = await PostAsync("api/v1/machines", $$"""{"serial": "{{serial}}", "vendor": "Dell\u0000", "nics": [{"mac": "{{Unique.Mac()}}", "name": "eth\u00000"}]}""");
        Assert.Equal(["nics[0].name", "vendor"], machine.Errors!.Keys.Order());
        Assert.All(machine.Errors.Values, reasons => Assert.Contains("NUL character", reasons[0]));
        var missing = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.GetMachineAsync("hw-" + serial.ToLowerInvariant()));
        Assert.Equal(404, missing.Status);
    }

    [Fact]
    public async Task In_a_query_parameter_it_is_422_naming_it_and_in_the_path_it_never_reaches_the_server()
    {
        using var http = Server.Http();
        var query = await (await http.GetAsync("api/v1/machines?q=ab%00cd")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["q"], query.Errors!.Keys);
        // In the path Kestrel refuses it before the application (400; its empty body is issue 11 D.4).
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("api/v1/machines/hw%00x")).StatusCode);
    }

    [Fact]
    public async Task In_a_job_parameter_it_is_422_on_both_engines()
    {
        var machine = await Server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial(), Bmc: new BmcInput("ipmi", "127.0.9.9", 623, "admin", "password")));
        foreach (var trigger in new[] { "commission", "allocate" }) await Server.Admin.TransitionAsync(machine.HardwareName, trigger);
        await PostAsync($"api/v1/machines/{machine.HardwareName}/jobs", """{"action": "install", "params": {"image": "debian\u0000"}}""");
        Assert.Empty((await Server.Admin.ListJobsAsync(new JobQuery(Machine: machine.HardwareName))).Items);
    }
}
