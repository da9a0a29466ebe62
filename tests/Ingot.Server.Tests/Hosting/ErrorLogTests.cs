using System.Text;
using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Ingot.Server.Tests.Hosting;

/// <summary>What an operator reads in the server's log: refusals (4xx) are answers, not errors, so a busy server's log
/// is not a wall of stack traces for every bad request or overlapping batch.</summary>
public sealed class ErrorLogTests
{
    [Fact]
    public async Task Refusals_AreAnswered_WithoutErrorsInTheLog()
    {
        var logs = new LogCapture();
        await using var server = await TestServer.StartAsync(logs: logs);
        using var http = server.Http();
        // Malformed JSON (400), a validation failure (422), an unknown machine (404) and a conflict (409).
        Assert.Equal(400, (int)(await http.PostAsync("api/v1/sites", new StringContent("{", Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(422, (int)(await http.PostAsync("api/v1/batches", new StringContent("{\"action\": \"explode\", \"hosts\": [\"a\"]}", Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(404, (int)(await http.GetAsync("api/v1/machines/no-such-machine")).StatusCode);
        await server.Admin.CreateSiteAsync(new SiteCreate("lon9"));
        var conflict = await Assert.ThrowsAsync<IngotApiException>(() => server.Admin.CreateSiteAsync(new SiteCreate("lon9")));
        Assert.Equal(409, conflict.Problem.Status);

        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task Boot_tokens_on_boot_endpoints_are_not_taken_for_failed_API_logins()
    {
        var logs = new LogCapture();
        await using var server = await TestServer.StartAsync(logs: logs);
        using var boot = server.Http(token: "");
        for (var i = 0; i < 5; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "boot/events")
            {
                Content = new StringContent("{\"event\": \"progress\", \"percent\": 10}", Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new("Bearer", "boot_not-an-api-token");
            Assert.Equal(403, (int)(await boot.SendAsync(request)).StatusCode); // the boot door's own refusal
        }
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Information && e.Message.Contains("not authenticated"));

        // An API request with a bad token is still refused, and still logged as a failed login.
        using var api = server.Http(token: "ingot_not-a-token");
        Assert.Equal(401, (int)(await api.GetAsync("api/v1/sites")).StatusCode);
        Assert.Contains(logs.Entries, e => e.Message.Contains("not authenticated"));
    }
}
