using System.Net;
using System.Net.Sockets;
using Ingot.Bmc;
using Ingot.Bmc.Ipmi;

namespace Ingot.Bmc.Tests.Ipmi;

/// <summary>A BMC that answers with broken packets: the error says "malformed", not "unreachable", so an operator
/// looks at the BMC's firmware rather than the network.</summary>
public sealed class MisbehavingBmcTests
{
    private static readonly IpmiClientOptions Options = new()
    {
        AttemptTimeout = TimeSpan.FromMilliseconds(200), Attempts = 2, LocalAddress = IPAddress.Loopback,
    };

    [Fact]
    public async Task AnswersWithBadChecksums_AreAMalformedReply()
    {
        using var fake = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var stop = new CancellationTokenSource();
        var echo = EchoCorruptedAsync(fake, stop.Token);
        // Generous attempts: the corrupted echo comes back at once, and a loaded CI machine must not turn
        // it into a timeout ("unreachable") before it arrives.
        var options = Options with { AttemptTimeout = TimeSpan.FromSeconds(2) };
        await using var transport = new IpmiTransport(options);
        var port = ((IPEndPoint)fake.Client.LocalEndPoint!).Port;
        await using var bmc = new IpmiBmc(new BmcTarget("ipmi", "127.0.0.1", port, "admin", "password"), transport);
        var e = await Assert.ThrowsAsync<BmcMalformedReplyException>(() => bmc.GetPowerStateAsync());
        Assert.Contains("checksum", e.Message);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => echo);
    }

    /// <summary>Issue 11 A.6: garbage behind an RMCP header belongs to no session, so the receive loop dropped it and the
    /// client reported "no answer", sending operators to the network.</summary>
    [Theory]
    [InlineData(0x00)] // an IPMI 1.5 header whose message runs past the datagram
    [InlineData(0x06)] // an RMCP+ header with a payload type that does not exist
    [InlineData(0x9B)] // an authentication type that does not exist
    public async Task AnswersThatAreNoIpmiPacketAtAll_AreAMalformedReply_NamingWhatCame(byte authType)
    {
        using var fake = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var stop = new CancellationTokenSource();
        byte[] garbage = [0x06, 0x00, 0xFF, 0x07, authType, 0x3F, 1, 2, 3, 4, 5, 6, 7, 0xF0, 0xFF, 0xFF, 9, 9];
        var answers = AnswerAlwaysAsync(fake, garbage, stop.Token);
        await using var transport = new IpmiTransport(Options with { AttemptTimeout = TimeSpan.FromSeconds(2) }); // the garbage comes at once: the wait only bounds a stall of this machine
        var port = ((IPEndPoint)fake.Client.LocalEndPoint!).Port;
        await using var bmc = new IpmiBmc(new BmcTarget("ipmi", "127.0.0.1", port, "admin", "password"), transport);
        var e = await Assert.ThrowsAsync<BmcMalformedReplyException>(() => bmc.GetPowerStateAsync());
        Assert.Contains("sent an answer that could not be parsed (Get Channel Authentication Capabilities)", e.Message);
        Assert.Contains("(18 bytes: 06 00 ff 07", e.Message);
        Assert.True(e.IsTransient); // a garbled answer may be a one-off: retried like silence, but named for what it is
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => answers);
    }

    /// <summary>Answers every request with the same bytes, from a thread of its own: the answer must come at once even
    /// when the full suite has the thread pool busy (1,000 simulated BMCs at once), since the client only learns of
    /// garbage it could route to no session when its attempts time out. On the pool, the answer once came after them.</summary>
    private static Task AnswerAlwaysAsync(UdpClient socket, byte[] answer, CancellationToken ct)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            socket.Client.ReceiveTimeout = 100;
            var remote = new IPEndPoint(IPAddress.Any, 0);
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    socket.Receive(ref remote);
                    socket.Send(answer, answer.Length, remote);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
                {
                    // look at the token again
                }
            }
            done.TrySetCanceled(ct);
        }) { IsBackground = true, Name = "misbehaving BMC" };
        thread.Start();
        return done.Task;
    }

    [Fact]
    public async Task LateDuplicateRefusalOfSuite17_IsNotTakenForARefusalOfSuite3()
    {
        using var fake = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var stop = new CancellationTokenSource();
        var bmc = RefuseSuite17TwiceAsync(fake, stop.Token);
        // Long attempts so that a CI machine whose thread pool is busy with other tests (1,000 BMCs at once) still
        // gets the capabilities answer in time; the duplicate refusal lands 100 ms after the first, while the suite 3
        // proposal is outstanding either way.
        await using var transport = new IpmiTransport(Options with { AttemptTimeout = TimeSpan.FromSeconds(2), Attempts = 3 });
        var port = ((IPEndPoint)fake.Client.LocalEndPoint!).Port;
        // The fake never answers suite 3, so the right outcome is silence about suite 3 — not "refused".
        var e = await Assert.ThrowsAsync<BmcUnreachableException>(() =>
            IpmiSession.OpenAsync(transport, new BmcTarget("ipmi", "127.0.0.1", port, "admin", "password")));
        Assert.Contains("cipher suite 3", e.Message);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => bmc);
    }

    /// <summary>Answers channel capabilities, refuses a suite 17 proposal like ipmi_sim (tag and status only) and sends the
    /// same refusal again 100 ms later, as a retransmitted request would cause; ignores everything else.</summary>
    private static async Task RefuseSuite17TwiceAsync(UdpClient socket, CancellationToken ct)
    {
        while (true)
        {
            var received = await socket.ReceiveAsync(ct);
            Assert.True(SessionPacket.TryDecode(received.Buffer, null, null, out var packet, out _));
            if (packet.Ipmi15 && IpmiRequest.TryDecode(packet.Payload, out var request))
            {
                var caps = new ChannelAuthCapabilities(1, 0x80, 0x04, 0x02, 0, 0).Encode();
                var answer = SessionPacket.EncodeIpmi15(IpmiResponse.To(request!, 0, caps).Encode());
                await socket.SendAsync(answer, received.RemoteEndPoint, ct);
            }
            else if (packet.Type == PayloadType.OpenSessionRequest && OpenSessionRequest.TryDecode(packet.Payload, out var open) &&
                     open!.Auth == AuthAlgorithm.HmacSha256)
            {
                var refusal = SessionPacket.EncodeUnauthenticated(PayloadType.OpenSessionResponse, [open.MessageTag, 0x04]);
                await socket.SendAsync(refusal, received.RemoteEndPoint, ct);
                _ = Task.Delay(100, ct).ContinueWith(_ => socket.SendAsync(refusal, received.RemoteEndPoint), TaskScheduler.Default);
            }
        }
    }

    /// <summary>Sends every request back with its last byte (the data checksum) flipped: routable, but not a valid message.</summary>
    private static async Task EchoCorruptedAsync(UdpClient socket, CancellationToken ct)
    {
        while (true)
        {
            var received = await socket.ReceiveAsync(ct);
            var answer = received.Buffer;
            answer[^1] ^= 0xFF;
            await socket.SendAsync(answer, received.RemoteEndPoint, ct);
        }
    }
}
