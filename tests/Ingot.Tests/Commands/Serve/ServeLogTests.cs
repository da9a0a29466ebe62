using System.Diagnostics;
using System.Text.Json;
using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Serve;

/// <summary>`ingot serve` as a process with INGOT_LOG_FORMAT=json: every line on stdout is a JSON object, and each API
/// call has its request line (method, path, status, duration, user) with no token in it.</summary>
public sealed class ServeLogTests
{
    [Fact]
    public async Task JsonLogs_OneObjectALine_WithARequestLineThatLeavesTheTokenOut()
    {
        var data = Directory.CreateTempSubdirectory("ingot-serve-log-").FullName;
        var url = $"http://127.0.0.1:{Ports.Free()}";
        var token = Ingot.Server.SelfService.Tokens.Generate();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { typeof(Cli).Assembly.Location, "serve", "--data", data, "--urls", url }) start.ArgumentList.Add(arg);
        start.Environment["INGOT_LOG_FORMAT"] = "json";
        start.Environment["INGOT_ADMIN_TOKEN"] = token;
        if (await TestDatabase.CreateAsync() is { } database) start.Environment["INGOT_DATABASE"] = database;
        using var process = Process.Start(start)!;
        var lines = new List<string>();
        var reading = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line) lock (lines) lines.Add(line);
        });
        try
        {
            var client = new IngotClient(new Uri(url + "/"), token);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (true)
            {
                try { await client.WhoAmIAsync(timeout.Token); break; }
                catch (HttpRequestException) { await Task.Delay(200, timeout.Token); }
            }
            await Assert.ThrowsAsync<IngotApiException>(() => client.GetSiteAsync("no-such-site", timeout.Token));
            JsonElement? request = null;
            while (request is null)
            {
                await Task.Delay(100, timeout.Token);
                string[] now;
                lock (lines) now = [.. lines];
                foreach (var line in now.Where(l => l.StartsWith('{')))
                {
                    using var doc = JsonDocument.Parse(line);
                    if (doc.RootElement.GetProperty("Category").GetString() == "Ingot.Requests" &&
                        doc.RootElement.GetProperty("State").GetProperty("Path").GetString() == "/api/v1/sites/no-such-site")
                        request = doc.RootElement.Clone();
                }
            }
            var state = request.Value.GetProperty("State");
            Assert.Equal(("GET", "404", "admin"), (state.GetProperty("Method").GetString(), state.GetProperty("Status").ToString(), state.GetProperty("User").GetString()));
            string[] all;
            lock (lines) all = [.. lines];
            Assert.All(all.Where(l => l.Length > 0 && !l.StartsWith("Ingot serving", StringComparison.Ordinal)), l => JsonDocument.Parse(l).Dispose());
            Assert.DoesNotContain(all, l => l.Contains(token, StringComparison.Ordinal));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Directory.Delete(data, recursive: true);
        }
    }
}
