using System.Net;
using System.Text;
using System.Text.Json;
using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.Hosting;

/// <summary>A table of bad requests: each gets the expected 4xx with a problem document that says what
/// is wrong, and none gets a 500.</summary>
public sealed class BadInputTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    public static TheoryData<string, string, string?, string?, int, string> Cases() => new()
    {
        // method, path, content type, body, expected status, text the detail or errors must contain
        { "POST", "api/v1/sites", "application/json", "{", 400, "not valid JSON" },
        { "POST", "api/v1/sites", "application/json", "", 400, "" },
        { "POST", "api/v1/sites", "application/json", "[1,2]", 400, "not valid JSON" },
        { "POST", "api/v1/sites", "application/json", "{\"name\": 5}", 400, "$.name" },
        { "POST", "api/v1/sites", "application/json", "{\"name\": \"x\", \"colour\": \"red\"}", 400, "colour" },
        { "POST", "api/v1/sites", "text/plain", "name=x", 415, "application/json" },
        { "POST", "api/v1/sites", "application/json", "{}", 422, "name" },
        { "POST", "api/v1/sites", "application/json", "{\"name\": \"Not A Slug!\"}", 422, "name" },
        { "POST", "api/v1/sites", "application/json", "null", 400, "" },
        { "POST", "api/v1/machines", "application/json", "{\"serial\": \"A1\", \"unit\": \"seven\"}", 400, "$.unit" },
        { "POST", "api/v1/machines", "application/json", "{\"serial\": \"A1\", \"unit\": 99999999999}", 400, "$.unit" },
        { "POST", "api/v1/machines", "application/json", "{\"serial\": \"A1\", \"nics\": {\"mac\": \"x\"}}", 400, "$.nics" },
        { "POST", "api/v1/machines", "application/json", "{\"serial\": \"A1\", \"nics\": [null]}", 422, "nics[0].mac" },
        { "POST", "api/v1/machines", "application/json", "{\"serial\": \"A1\", \"tags\": [null]}", 422, "tags[0]" },
        { "POST", "api/v1/machines", "application/json", "{\"serial\": \"" + new string('x', 300) + "\"}", 422, "serial" },
        { "POST", "api/v1/machines", "application/json", "{\"serial\": \"A\\u0000B\"}", 422, "serial" },
        { "POST", "api/v1/machines/1/transitions", "application/json", "{\"trigger\": 3}", 400, "$.trigger" },
        { "POST", "api/v1/machines/999999/transitions", "application/json", "{\"trigger\": \"commission\"}", 404, "999999" },
        { "POST", "api/v1/machines/999999/maintenance", "application/json", "{\"enabled\": \"yes\"}", 400, "$.enabled" },
        { "GET", "api/v1/machines/..%2F..%2Fetc%2Fpasswd", null, null, 404, "" },
        { "GET", "api/v1/machines/%E2%98%83", null, null, 404, "" },
        { "GET", "api/v1/machines/99999999999999999999999", null, null, 404, "" },
        { "GET", "api/v1/nowhere", null, null, 404, "/api/v1/nowhere" },
        { "PUT", "api/v1/sites", "application/json", "{}", 405, "PUT" },
        { "DELETE", "api/v1/sites/never-was", null, null, 404, "never-was" },
        { "PATCH", "api/v1/machines/hw-none", "application/json", "{\"unit\": 3}", 404, "hw-none" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_request_gets_a_problem_and_never_a_500(string method, string path, string? contentType, string? body, int status, string mention)
    {
        using var http = fixture.Server.Http();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, contentType ?? "application/json");
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(status == (int)response.StatusCode, $"{method} {path}: expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonSerializer.Deserialize<Problem>(text, IngotJson.Options)!;
        Assert.Equal(status, problem.Status);
        Assert.False(string.IsNullOrWhiteSpace(problem.Detail));
        Assert.Contains(mention, problem.Detail + " " + string.Join(" ", problem.Errors?.Keys.ToArray() ?? []));
    }
}
