using System.Net;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.Hosting;

public sealed class HealthTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Healthz_and_readyz_answer_without_a_token()
    {
        using var http = fixture.Server.Http(token: "");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("healthz")).StatusCode);
        Assert.Equal("ready", await http.GetStringAsync("readyz"));
    }

    [Fact]
    public async Task Api_without_token_is_401_problem_details()
    {
        using var http = fixture.Server.Http(token: "");
        var response = await http.GetAsync("api/v1/sites");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Authorization: Bearer", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Api_with_unknown_token_is_401_saying_so()
    {
        using var http = fixture.Server.Http(token: "ingot_not-a-real-token");
        var response = await http.GetAsync("api/v1/sites");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("not known", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OpenApi_document_is_served_with_snake_case_fields()
    {
        using var http = fixture.Server.Http();
        var text = await http.GetStringAsync("openapi/v1.json");
        Assert.Contains("\"/api/v1/sites\"", text);
        Assert.Contains("created_at", text);
    }
}
