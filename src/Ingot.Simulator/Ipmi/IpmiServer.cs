using System.Net.Sockets;
using System.Net;

namespace Ingot.Simulator.Ipmi;

/// <summary>One simulated BMC's IPMI 2.0 (RMCP+) endpoint: a UDP socket on a loopback address and an async
/// receive loop. The loop never dies on bad input: every datagram is handled inside its own try/catch, and
/// whatever fails is dropped, as a real BMC drops what it cannot parse.</summary>
public sealed class IpmiServer : IAsyncDisposable
{
    private readonly Socket socket;
    private readonly PacketRouter router;
    private readonly SimulatedBmc bmc;
    private readonly TimeProvider time;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task loop;
    private long received, answered, failed;

    private IpmiServer(SimulatedBmc bmc, Socket socket, SessionLimits limits, TimeProvider time)
    {
        this.bmc = bmc;
        this.socket = socket;
        this.time = time;
        router = new PacketRouter(bmc, limits, time);
        Endpoint = (IPEndPoint)socket.LocalEndPoint!;
        loop = Task.Run(() => ReceiveLoopAsync(stopping.Token));
    }

    public SimulatedBmc Bmc => bmc;

    /// <summary>Where the BMC listens (the real port when 0 was asked for).</summary>
    public IPEndPoint Endpoint { get; }

    /// <summary>Datagrams received, answered, and those whose handling threw (and were dropped).</summary>
    public long Received => Interlocked.Read(ref received);
    public long Answered => Interlocked.Read(ref answered);
    public long Failed => Interlocked.Read(ref failed);

    /// <summary>Binds <paramref name="endpoint"/> and starts answering.</summary>
    /// <exception cref="ArgumentException">The address is not an IPv4 loopback address (127.0.0.0/8): the simulator
    /// must never be reachable from a network.</exception>
    /// <exception cref="SocketException">The address/port is in use, or binding a port below 1024 is not permitted.</exception>
    public static IpmiServer Start(SimulatedBmc bmc, IPEndPoint endpoint, SessionLimits? limits = null, TimeProvider? time = null)
    {
        if (endpoint.AddressFamily != AddressFamily.InterNetwork || !IPAddress.IsLoopback(endpoint.Address))
            throw new ArgumentException($"simulated BMCs bind only 127.x.y.z addresses, not {endpoint.Address}", nameof(endpoint));
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(endpoint);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new IpmiServer(bmc, socket, limits ?? new SessionLimits(), time ?? TimeProvider.System);
    }

    private async Task ReceiveLoopAsync(CancellationToken ct)
    {
        var buffer = new byte[2048];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!ct.IsCancellationRequested)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, ct);
            }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException) { continue; } // e.g. an ICMP error for an earlier send; the socket is still good
            Interlocked.Increment(ref received);
            try
            {
                await HandleAsync(buffer.AsSpan(0, result.ReceivedBytes).ToArray(), result.RemoteEndPoint, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception)
            {
                Interlocked.Increment(ref failed); // a datagram we could not handle is dropped; the loop goes on
            }
        }
    }

    private async Task HandleAsync(byte[] datagram, EndPoint peer, CancellationToken ct)
    {
        var faults = bmc.Faults;
        if (faults.Unreachable) return;
        if (faults.DropRate > 0 && Random.Shared.NextDouble() < faults.DropRate) return;
        var reply = faults.GarbageReplies ? Garbage() : router.Route(datagram, peer);
        if (reply is null) return;
        if (faults.Latency > TimeSpan.Zero)
        {
            // The state change has already happened; only the answer is late, so the loop is not held up.
            _ = SendLaterAsync(reply, peer, faults.Latency, ct);
            return;
        }
        await SendAsync(reply, peer, ct);
    }

    private async Task SendLaterAsync(byte[] reply, EndPoint peer, TimeSpan latency, CancellationToken ct)
    {
        try
        {
            await Task.Delay(latency, time, ct);
            await SendAsync(reply, peer, ct);
        }
        catch (Exception)
        {
            Interlocked.Increment(ref failed);
        }
    }

    private async Task SendAsync(byte[] reply, EndPoint peer, CancellationToken ct)
    {
        await socket.SendToAsync(reply, SocketFlags.None, peer, ct);
        Interlocked.Increment(ref answered);
    }

    /// <summary>An RMCP header (so the client's parser, not its port filter, has to reject it) and random bytes.</summary>
    private static byte[] Garbage()
    {
        var bytes = new byte[Random.Shared.Next(4, 64)];
        Random.Shared.NextBytes(bytes);
        bytes[0] = 0x06; bytes[1] = 0x00; bytes[2] = 0xFF; bytes[3] = 0x07;
        return bytes;
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        socket.Dispose();
        try { await loop; } catch (OperationCanceledException) { }
        stopping.Dispose();
    }
}
