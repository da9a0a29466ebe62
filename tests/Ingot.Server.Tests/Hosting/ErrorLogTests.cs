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
}
