using System.Net;
using System.Net.Sockets;

namespace Ingot.Tests.Infrastructure;

public static class Ports
{
    /// <summary>A loopback port free at this moment, for commands that take a URL rather than port 0.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
