using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ingot.Bmc.Tests.Redfish;

/// <summary>An HTTP/1.0 front for our Redfish simulator that handles connections the way the DMTF Redfish mockup
/// server does (Python's http.server: HTTP/1.0 answers, no keep-alive, one request per connection). The mockup
/// server is not in Debian, so this is a minimal real-socket server in the test: it forwards each request to the
/// simulator and answers HTTP/1.0.</summary>
/// <remarks>The mockup server closes right after its answer, and a client that pools the connection fails only
/// when its next request beats the close (4–13 % of runs). To see that every time, this front closes late: it
/// waits for a reused connection's next request and then resets the connection without an answer, which is what
/// the client meets in the unlucky runs. It can also drop one chosen request on a fresh connection.</remarks>
public sealed class ClosingFront : IAsyncDisposable
{
    private static readonly TimeSpan LateClose = TimeSpan.FromSeconds(2);

    private readonly TcpListener listener;
    private readonly HttpClient backend;
    private readonly CancellationTokenSource stop = new();
    private readonly Task accepting;
    private Func<string, bool>? dropOnce;
    private int reusedAndDropped;

    public ClosingFront(IPEndPoint simulator)
    {
        backend = new HttpClient { BaseAddress = new Uri($"http://{simulator}/") };
        listener = new TcpListener(SimRedfish.NextAddress(), 0);
        listener.Start();
        accepting = AcceptAsync();
    }

    public IPEndPoint Endpoint => (IPEndPoint)listener.LocalEndpoint;

    /// <summary>Every request line seen ("PATCH /redfish/v1/Systems/1"), dropped ones included.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Requests that came on a connection after its HTTP/1.0 answer, and were dropped.</summary>
    public int ReusedAndDropped => Volatile.Read(ref reusedAndDropped);

    /// <summary>The first request whose line matches is dropped: connection reset, no answer.</summary>
    public void DropOnce(Func<string, bool> match) => dropOnce = match;

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            var request = await ReadRequestAsync(stream, stop.Token);
            if (request is null) return;
            Requests.Enqueue(request.Line);
            if (dropOnce is { } drop && drop(request.Line) && Interlocked.CompareExchange(ref dropOnce, null, drop) == drop)
            {
                Reset(client);
                return;
            }
            await stream.WriteAsync(await ForwardAsync(request), stop.Token);
            using var late = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            late.CancelAfter(LateClose);
            if (await stream.ReadAsync(new byte[1], late.Token) > 0)
            {
                Interlocked.Increment(ref reusedAndDropped);
                Reset(client);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // the client went away, or the front is stopping
        }
    }

    private static void Reset(TcpClient client)
    {
        client.Client.LingerState = new LingerOption(true, 0); // RST: the connection dies without an answer
        client.Close();
    }

    private async Task<byte[]> ForwardAsync(Request request)
    {
        var parts = request.Line.Split(' ');
        using var message = new HttpRequestMessage(new HttpMethod(parts[0]), parts[1]);
        if (request.Body.Length > 0) message.Content = new ByteArrayContent(request.Body);
        foreach (var (name, value) in request.Headers)
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)) message.Content?.Headers.TryAddWithoutValidation(name, value);
            else if (name is "X-Auth-Token" or "Authorization" or "OData-Version" or "Accept") message.Headers.TryAddWithoutValidation(name, value);
        using var response = await backend.SendAsync(message, stop.Token);
        var body = await response.Content.ReadAsByteArrayAsync(stop.Token);
        var head = new StringBuilder($"HTTP/1.0 {(int)response.StatusCode} {response.ReasonPhrase}\r\nServer: closing-front\r\n");
        foreach (var name in new[] { "X-Auth-Token", "Location", "WWW-Authenticate" })
            if (response.Headers.TryGetValues(name, out var values)) head.Append($"{name}: {string.Join(", ", values)}\r\n");
        if (response.Content.Headers.ContentType is { } type) head.Append($"Content-Type: {type}\r\n");
        head.Append($"Content-Length: {body.Length}\r\n\r\n");
        return [.. Encoding.ASCII.GetBytes(head.ToString()), .. body];
    }

    private sealed record Request(string Line, List<(string Name, string Value)> Headers, byte[] Body);

    private static async Task<Request?> ReadRequestAsync(NetworkStream stream, CancellationToken ct)
    {
        var buffer = new List<byte>();
        var chunk = new byte[4096];
        int end;
        while ((end = HeaderEnd(buffer)) < 0)
        {
            var n = await stream.ReadAsync(chunk, ct);
            if (n == 0) return null;
            buffer.AddRange(chunk.AsSpan(0, n));
        }
        var lines = Encoding.ASCII.GetString([.. buffer.Take(end)]).Split("\r\n");
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2).Select(p => (p[0].Trim(), p[1].Trim())).ToList();
        var length = headers.Where(h => h.Item1.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Select(h => int.Parse(h.Item2)).FirstOrDefault();
        var body = buffer.Skip(end + 4).ToList();
        while (body.Count < length)
        {
            var n = await stream.ReadAsync(chunk, ct);
            if (n == 0) return null;
            body.AddRange(chunk.AsSpan(0, n));
        }
        var line = lines[0][..lines[0].LastIndexOf(' ')]; // "GET /path", without the version
        return new Request(line, headers, [.. body.Take(length)]);
    }

    private static int HeaderEnd(List<byte> buffer)
    {
        for (var i = 0; i + 3 < buffer.Count; i++)
            if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r' && buffer[i + 3] == '\n') return i;
        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        await accepting;
        backend.Dispose();
        stop.Dispose();
    }
}
