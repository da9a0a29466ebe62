using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Ingot.Labs;

/// <summary>What the third-party peers' harnesses share: a free loopback port to give a peer, and stopping a peer with
/// its working directory.</summary>
internal static class LabProcesses
{
    /// <summary>A TCP port free on 127.0.0.1 now (released for the peer to bind).</summary>
    public static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>Kills the peer (and its children), waits for it, and deletes its directory.</summary>
    public static async Task StopAsync(Process process, string root)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
            // never started, or already reaped
        }
        process.Dispose();
        Directory.Delete(root, recursive: true);
    }
}
