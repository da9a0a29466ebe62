using System.Net;
using Ingot.Server.Api;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Ingot.Server.Hosting;

/// <summary>Binds the server's addresses (<c>urls</c>) in Kestrel itself rather than through UseUrls, for two reasons:
/// the slim host has no HTTPS defaults (an https:// URL crashed it), and every endpoint needs a connection middleware
/// after its TLS layer (<see cref="RejectedRequests"/>), which UseUrls's endpoints cannot be given. Host names are bound
/// as Kestrel's own address binder binds them.</summary>
internal static class Listeners
{
    /// <summary>The private socket the portal calls the API on (owner-only; see <see cref="PortalSocket"/>).</summary>
    public static void BindPortalSocket(KestrelServerOptions kestrel, string path)
    {
        if (File.Exists(path)) File.Delete(path); // a socket left by a server that was killed
        kestrel.ListenUnixSocket(path, listen => listen.UseRejectedRequestProblems());
    }

    public static void Bind(KestrelServerOptions kestrel, IEnumerable<string> urls, ServerTls? tls)
    {
        foreach (var url in urls)
        {
            var address = BindingAddress.Parse(url);
            var https = string.Equals(address.Scheme, "https", StringComparison.OrdinalIgnoreCase);
            void Configure(ListenOptions listen)
            {
                if (https)
                    listen.UseHttps(new HttpsConnectionAdapterOptions
                    {
                        ServerCertificate = tls?.Certificate ?? throw new InvalidOperationException("An https:// address needs ServerTls (ServerOptions checks this)."),
                        ServerCertificateChain = tls.Chain,
                    });
                // After TLS, so that it reads and writes HTTP rather than TLS records.
                listen.UseRejectedRequestProblems();
            }

            var host = address.Host.Trim('[', ']');
            if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) kestrel.ListenLocalhost(address.Port, Configure);
            else if (IPAddress.TryParse(host, out var ip)) kestrel.Listen(ip, address.Port, Configure);
            // Any other host name: every interface, as Kestrel binds one.
            else kestrel.ListenAnyIP(address.Port, Configure);
        }
    }
}
