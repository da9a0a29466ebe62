using Ingot.Client;
using Ingot.Bmc.Ipmi;
using Ingot.Server.Api;
using Ingot.Server.Hosting;
using Ingot.Server.Jobs;
using Ingot.Server.SelfService;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Ingot.Server.Tests.Infrastructure;

/// <summary>A real Ingot server on a free loopback port with its own empty database (SQLite or
/// PostgreSQL, per <see cref="TestDatabase"/>), reached over real HTTP.</summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private bool stopped;

    private TestServer(WebApplication app, Uri url, string dataDirectory, string adminToken, string? database)
    {
        this.app = app;
        Url = url;
        DataDirectory = dataDirectory;
        AdminToken = adminToken;
        Database = database;
        Admin = new IngotClient(url, adminToken);
    }

    public Uri Url { get; }
    public string DataDirectory { get; }
    public string AdminToken { get; }
    public string? Database { get; }

    /// <summary>A client authenticated as the bootstrap admin.</summary>
    public IngotClient Admin { get; }

    public IServiceProvider Services => app.Services;

    /// <param name="adminToken">The admin token to register (INGOT_ADMIN_TOKEN); a fresh one when null.</param>
    /// <param name="bootstrapAdmin">Start as a bare server does, without an admin token, so the server
    /// creates one and writes it to DATA/admin-token; <see cref="AdminToken"/> is then read from that file.</param>
    /// <param name="jobs">Broker options; by default the workers do not run (tests of the API alone).</param>
    /// <param name="configure">Any other setting a test needs, applied last.</param>
    /// <param name="tls">Serve https:// with these certificates instead of http://.</param>
    public static async Task<TestServer> StartAsync(string? adminToken = null, bool bootstrapAdmin = false, JobOptions? jobs = null,
                                                    IpmiClientOptions? ipmi = null, Ingot.Server.Boot.DiscoveryCredentials? discovery = null,
                                                    LogCapture? logs = null, TimeProvider? clock = null,
                                                    Func<ServerSettings, ServerSettings>? configure = null, TestCertificates? tls = null)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("ingot-test-").FullName;
        var database = await TestDatabase.CreateAsync();
        if (!bootstrapAdmin) adminToken ??= Tokens.Generate();
        return await LaunchAsync(dataDirectory, database, tls is null ? "http://127.0.0.1:0" : "https://127.0.0.1:0", bootstrapAdmin ? null : adminToken,
            jobs, ipmi, discovery, logs, clock, configure, tls);
    }

    /// <summary>A new server process, as it were, on a stopped server's data directory, database, address and admin
    /// token: what an operator's restart of the only node gives.</summary>
    public static Task<TestServer> RestartAsync(TestServer stopped, JobOptions? jobs = null, IpmiClientOptions? ipmi = null,
                                                LogCapture? logs = null, TimeProvider? clock = null)
    {
        if (!stopped.stopped) throw new InvalidOperationException("stop the server first (StopAsync)");
        return LaunchAsync(stopped.DataDirectory, stopped.Database, stopped.Url.GetLeftPart(UriPartial.Authority), stopped.AdminToken,
            jobs, ipmi, null, logs, clock, null, null);
    }

    private static async Task<TestServer> LaunchAsync(string dataDirectory, string? database, string url, string? adminToken, JobOptions? jobs,
                                                      IpmiClientOptions? ipmi, Ingot.Server.Boot.DiscoveryCredentials? discovery,
                                                      LogCapture? logs, TimeProvider? clock, Func<ServerSettings, ServerSettings>? configure,
                                                      TestCertificates? tls)
    {
        var settings = new ServerSettings
        {
            DataDirectory = dataDirectory,
            Database = database,
            Urls = [url],
            TlsCertificate = tls?.Certificate,
            TlsKey = tls?.Key,
            AdminToken = adminToken,
            Jobs = jobs ?? new JobOptions { RunWorkers = false },
            Ipmi = ipmi,
            DiscoveryBmc = discovery ?? new(null, null),
            Clock = clock ?? TimeProvider.System,
        };
        var app = await ServerHost.BuildAsync(configure is null ? settings : configure(settings), logging: b => { if (logs is not null) b.Services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs); });
        await app.StartAsync();
        adminToken ??= (await File.ReadAllTextAsync(Path.Combine(dataDirectory, "admin-token"))).Trim();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestServer(app, new Uri(address.Replace("[::]", "127.0.0.1") + "/"), dataDirectory, adminToken, database);
    }

    /// <summary>A raw HTTP client for asserting status codes and bodies; authenticated unless token is "".</summary>
    public HttpClient Http(string? token = null)
    {
        var http = new HttpClient { BaseAddress = Url };
        token ??= AdminToken;
        if (token.Length > 0) http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return http;
    }

    public IngotClient Client(string token) => new(Url, token);

    /// <summary>Stops the server as a clean shutdown (SIGTERM) does, keeping its data for <see cref="RestartAsync"/> or
    /// for a look at what it left behind.</summary>
    public async Task StopAsync()
    {
        if (stopped) return;
        stopped = true;
        await app.StopAsync();
        await app.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { /* best effort */ }
    }
}

/// <summary>One server shared by the tests of a class (xUnit class fixture); tests create uniquely named
/// data so they do not depend on each other.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public TestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public static class ProblemResponses
{
    /// <summary>Asserts <paramref name="response"/> is a problem document with <paramref name="status"/>, and returns it.</summary>
    public static async Task<Problem> ProblemAsync(this HttpResponseMessage response, System.Net.HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Xunit.Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Xunit.Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return System.Text.Json.JsonSerializer.Deserialize<Problem>(body, IngotJson.Options)!;
    }
}
