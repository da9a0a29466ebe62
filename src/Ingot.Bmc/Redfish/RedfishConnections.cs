using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;

namespace Ingot.Bmc.Redfish;

/// <summary>The HTTP connections to one BMC: kept open and reused while the service keeps them alive, one per
/// request once it has said it closes them.</summary>
/// <remarks>An HTTP/1.0 answer without "Connection: keep-alive" means the server closes the connection after it
/// (RFC 9112 §9.3), but .NET's pool keeps such a connection for the next request; when the server's close reaches
/// us after that request went out, the request dies on a dead socket ("The response ended prematurely", "invalid
/// status line"). The DMTF Redfish mockup server (Python's HTTP/1.0 http.server) closes every connection this way;
/// so may small embedded BMC web servers. .NET honours "Connection: close" on an answer by itself, and a request's
/// own "Connection: close" does not keep its connection out of the pool, hence a second, pool-less client.
/// Test: Every_request_succeeds_against_a_service_that_closes_each_connection.</remarks>
internal sealed class RedfishConnections : IDisposable
{
    private readonly HttpClient reused;
    private readonly Lazy<HttpClient> oneShot;
    private volatile bool serverCloses;

    public RedfishConnections(BmcTarget target, RedfishOptions options)
    {
        reused = Create(target, options, reuse: true);
        oneShot = new Lazy<HttpClient>(() => Create(target, options, reuse: false));
    }

    /// <summary>The client for the next request.</summary>
    public HttpClient Client => serverCloses ? oneShot.Value : reused;

    /// <summary>Notes whether the service said it will close the connection this answer came on.</summary>
    public void Learn(HttpResponseMessage response)
    {
        if (response.Version < HttpVersion.Version11 && !response.Headers.Connection.Contains("keep-alive", StringComparer.OrdinalIgnoreCase))
            serverCloses = true;
    }

    private static HttpClient Create(BmcTarget target, RedfishOptions options, bool reuse)
    {
        var handler = new SocketsHttpHandler { ConnectTimeout = options.ConnectTimeout, UseCookies = false };
        // A zero lifetime keeps every connection out of the pool: each request opens its own.
        if (!reuse) handler.PooledConnectionLifetime = TimeSpan.Zero;
        // Verification stays on unless this one BMC was explicitly marked insecure (BmcTarget.InsecureTls):
        // most BMCs ship self-signed certificates, but accepting any certificate invites a man in the middle.
        if (target.InsecureTls)
            handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true };
        var http = new HttpClient(handler) { BaseAddress = RedfishTransport.BaseAddress(target), Timeout = options.RequestTimeout };
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        // The Redfish spec asks clients to send OData-Version 4.0; a strict service may refuse requests without it.
        http.DefaultRequestHeaders.Add("OData-Version", "4.0");
        return http;
    }

    public void Dispose()
    {
        reused.Dispose();
        if (oneShot.IsValueCreated) oneShot.Value.Dispose();
    }
}
