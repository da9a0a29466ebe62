using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading.Channels;

namespace Ingot.Bmc.Ipmi;

/// <summary>A few UDP sockets shared by every IPMI session of the process, with one receive loop per socket that hands
/// each datagram to the session waiting for it. No thread per BMC: a thousand sessions cost a thousand small inboxes.
/// Routing: in-session RMCP+ packets by (BMC endpoint, console session id in the header); Open Session and RAKP
/// answers by the console session id inside their payload, or, for a refusal cut short before it, by the message tag;
/// pre-session IPMI 1.5 answers by the request's rqSeq. Tag and rqSeq are one "handshake tag", unique per BMC.</summary>
public sealed class IpmiTransport : IAsyncDisposable
{
    private static readonly Lazy<IpmiTransport> shared = new(() => new IpmiTransport());

    private readonly Socket[] sockets;
    private readonly Task[] loops;
    private readonly ConcurrentDictionary<RouteKey, IpmiRoute> routes = new();
    private readonly ConcurrentDictionary<IPEndPoint, int> negotiated = new();
    private readonly UnparsedAnswers unparsed;
    private readonly CancellationTokenSource stopping = new();
    private int nextSocket;

    public IpmiTransport(IpmiClientOptions? options = null)
    {
        Options = options ?? new IpmiClientOptions();
        Options.Validate();
        unparsed = new UnparsedAnswers(Options.Clock);
        sockets = new Socket[Options.SocketCount];
        loops = new Task[Options.SocketCount];
        for (var i = 0; i < sockets.Length; i++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            // Replies from hundreds of BMCs can arrive in one burst; the default buffer would drop them.
            socket.ReceiveBufferSize = 4 << 20;
            socket.Bind(new IPEndPoint(Options.LocalAddress, 0));
            sockets[i] = socket;
        }
        for (var i = 0; i < sockets.Length; i++)
        {
            var socket = sockets[i];
            loops[i] = Task.Run(() => ReceiveLoopAsync(socket));
        }
    }

    /// <summary>The process-wide transport with default options, for drivers created by name.</summary>
    public static IpmiTransport Shared => shared.Value;

    public IpmiClientOptions Options { get; }

    /// <summary>Sessions currently registered (for tests and metrics).</summary>
    public int ActiveRoutes => routes.Count;

    /// <summary>Claims a fresh console session id towards <paramref name="remote"/> and an inbox for its replies.</summary>
    internal IpmiRoute Register(IPEndPoint remote)
    {
        var socket = sockets[(int)((uint)Interlocked.Increment(ref nextSocket) % (uint)sockets.Length)];
        while (true)
        {
            var sid = (uint)RandomNumberGenerator.GetInt32(1, int.MaxValue);
            var route = new IpmiRoute(this, socket, remote, sid);
            if (routes.TryAdd(new RouteKey(remote, sid, 0), route)) return route;
        }
    }

    /// <summary>The suite negotiation last agreed with this BMC: tried first next time, saving a refused proposal per session.</summary>
    internal int? NegotiatedSuite(IPEndPoint remote) => negotiated.TryGetValue(remote, out var id) ? id : null;

    internal void RememberSuite(IPEndPoint remote, int suite) => negotiated[remote] = suite;

    internal void ForgetSuite(IPEndPoint remote) => negotiated.TryRemove(remote, out _);

    internal bool TryAddAlias(IPEndPoint remote, ushort ipmi15Tag, IpmiRoute route) => routes.TryAdd(new RouteKey(remote, 0, ipmi15Tag), route);

    internal void Remove(IPEndPoint remote, uint sid, ushort ipmi15Tag) => routes.TryRemove(new RouteKey(remote, sid, ipmi15Tag), out _);

    private async Task ReceiveLoopAsync(Socket socket)
    {
        var buffer = GC.AllocateArray<byte>(4096, pinned: true);
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!stopping.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // an ICMP error for some earlier send: that session's timeout reports it
            }
            if (received.RemoteEndPoint is IPEndPoint from) Deliver(buffer.AsSpan(0, received.ReceivedBytes), from);
        }
    }

    /// <summary>Hands a datagram to its session; anything unroutable is dropped, and noted if it was no IPMI packet at all
    /// (<see cref="UnparsedAnswers"/>). Never throws: a hostile or broken peer must not stop the loop that serves every
    /// other session.</summary>
    private void Deliver(ReadOnlySpan<byte> datagram, IPEndPoint from)
    {
        if (Route(datagram, from) is { } route) route.Post(datagram.ToArray());
        else if (SessionPacket.FramingError(datagram) is { } error) unparsed.Note(from, error, datagram);
    }

    private IpmiRoute? Route(ReadOnlySpan<byte> datagram, IPEndPoint from)
    {
        if (!SessionPacket.TryPeek(datagram, out var ipmi15, out _, out var sid)) return null;
        IpmiRoute? route;
        if (ipmi15)
        {
            // Auth type none: the message starts at 14; rqSeq is in its fifth byte.
            if (datagram[4] != 0 || datagram.Length < 14 + 6) return null;
            routes.TryGetValue(new RouteKey(from, 0, HandshakeKey(datagram[14 + 4] >> 2)), out route);
        }
        else if (sid != 0)
        {
            routes.TryGetValue(new RouteKey(from, sid, 0), out route);
        }
        else
        {
            // Open Session Response, RAKP 2 and RAKP 4 carry the console session id at payload offset 4 ...
            route = null;
            if (datagram.Length >= 16 + 8) routes.TryGetValue(new RouteKey(from, BinaryPrimitives.ReadUInt32LittleEndian(datagram[20..]), 0), out route);
            // ... except a refusal cut short after its status: then only the message tag says whose it is.
            if (route is null && datagram.Length > 16) routes.TryGetValue(new RouteKey(from, 0, HandshakeKey(datagram[16])), out route);
        }
        return route;
    }

    /// <summary>What <paramref name="remote"/> sent since <paramref name="timestamp"/> that could not be parsed, if anything.</summary>
    internal string? UnparsedSince(IPEndPoint remote, long timestamp) => unparsed.Since(remote, timestamp);

    internal static ushort HandshakeKey(int tag) => (ushort)(0x100 | (tag & 0x3F));

    public async ValueTask DisposeAsync()
    {
        if (stopping.IsCancellationRequested) return;
        await stopping.CancelAsync();
        foreach (var socket in sockets) socket.Dispose();
        await Task.WhenAll(loops);
        stopping.Dispose();
    }

    private readonly record struct RouteKey(IPEndPoint Remote, uint ConsoleSessionId, ushort Ipmi15Tag);
}

/// <summary>One session's side of the transport: its console session id, the socket it sends on, and its inbox.</summary>
internal sealed class IpmiRoute(IpmiTransport transport, Socket socket, IPEndPoint remote, uint consoleSessionId) : IDisposable
{
    // Small and dropping the oldest: a session waits for one answer at a time, so a backlog is only stale duplicates.
    private readonly Channel<byte[]> inbox = Channel.CreateBounded<byte[]>(
        new BoundedChannelOptions(16) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private ushort handshakeKey;

    public uint ConsoleSessionId { get; } = consoleSessionId;
    public IPEndPoint Remote { get; } = remote;
    public IpmiTransport Transport => transport;
    public IpmiClientOptions Options => transport.Options;

    public void Post(byte[] datagram) => inbox.Writer.TryWrite(datagram);

    /// <summary>Reserves a six-bit tag, used as rqSeq of the IPMI 1.5 request and as RMCP+ message tag, that no other
    /// session to this BMC is using while it starts. More than 64 handshakes at once to one BMC wait their turn.
    /// The tag just released is avoided, so a late answer to an earlier proposal cannot pass for the next one's.</summary>
    public async Task<byte> ClaimHandshakeTagAsync(CancellationToken ct)
    {
        var previous = handshakeKey;
        while (true)
        {
            var start = RandomNumberGenerator.GetInt32(64);
            for (var i = 0; i < 64; i++)
            {
                var key = IpmiTransport.HandshakeKey((start + i) % 64);
                if (key == previous || !transport.TryAddAlias(Remote, key, this)) continue;
                ReleaseHandshakeTag();
                handshakeKey = key;
                return (byte)(key & 0x3F);
            }
            await Task.Delay(Options.AttemptTimeout / 10, Options.Clock, ct);
        }
    }

    public void ReleaseHandshakeTag()
    {
        if (handshakeKey == 0) return;
        transport.Remove(Remote, 0, handshakeKey);
        handshakeKey = 0;
    }

    /// <summary>Sends a request and waits for the datagram <paramref name="match"/> accepts, sending again after each
    /// attempt timeout. <paramref name="datagramFor"/> gets the attempt number, so in-session retransmissions can take
    /// a fresh session sequence number while RAKP retransmits the identical packet.</summary>
    /// <exception cref="ExchangeTimeoutException">No matching answer after every attempt.</exception>
    public async Task<T> ExchangeAsync<T>(Func<int, byte[]> datagramFor, Func<byte[], T?> match, CancellationToken ct) where T : class
    {
        var since = Options.Clock.GetTimestamp();
        for (var attempt = 0; attempt < Options.Attempts; attempt++)
        {
            await SendAsync(datagramFor(attempt), ct);
            using var timeout = new CancellationTokenSource(Options.AttemptTimeout, Options.Clock);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
            try
            {
                while (true)
                {
                    var datagram = await inbox.Reader.ReadAsync(linked.Token);
                    if (match(datagram) is { } answer) return answer;
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // this attempt timed out: send again
            }
        }
        throw new ExchangeTimeoutException($"no answer after {Options.Attempts} attempts of {Options.AttemptTimeout.TotalMilliseconds:0} ms",
            transport.UnparsedSince(Remote, since));
    }

    public async Task SendAsync(byte[] datagram, CancellationToken ct) => await socket.SendToAsync(datagram, SocketFlags.None, Remote, ct);

    public void Dispose()
    {
        ReleaseHandshakeTag();
        transport.Remove(Remote, ConsoleSessionId, 0);
    }
}
