using System.Net.Sockets;
using Ingot.Client;

namespace Ingot.Portal;

/// <summary>The portal's one way into Ingot: the typed client over the server's private Unix socket, with the signed-in
/// user's own token, so every read and action passes the API's authentication, permission table, scopes, validation and
/// audit exactly as a CLI call would (docs/adr/0006-portal.md). One connection pool for every user; a client per call.</summary>
public sealed class PortalApi : IDisposable
{
    private static readonly Uri Base = new("http://ingot.portal/");
    private readonly SocketsHttpHandler handler;

    public PortalApi(PortalOptions options)
    {
        var endpoint = new UnixDomainSocketEndPoint(options.ApiSocket);
        handler = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(endpoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
    }

    /// <summary>A client that acts as the holder of <paramref name="token"/> (null: anonymous, for the sign-in check only).
    /// <paramref name="streaming"/>: no time limit, for the event stream a live part follows.</summary>
    public IngotClient As(string? token, bool streaming = false) =>
        new(new HttpClient(handler, disposeHandler: false) { BaseAddress = Base, Timeout = streaming ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(30) }, token);

    /// <summary>An anonymous client for a sign-in from the browser at <paramref name="browser"/>: the server counts failed
    /// sign-ins per source, and over this socket every call would otherwise come from one.</summary>
    public IngotClient ForSignIn(string? browser)
    {
        var http = new HttpClient(handler, disposeHandler: false) { BaseAddress = Base, Timeout = TimeSpan.FromSeconds(30) };
        if (browser is { Length: > 0 }) http.DefaultRequestHeaders.Add(SignInHeaders.PortalClient, browser);
        return new IngotClient(http, "");
    }

    public void Dispose() => handler.Dispose();
}
