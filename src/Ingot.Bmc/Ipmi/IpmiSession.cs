using System.Net;
using System.Net.Sockets;

namespace Ingot.Bmc.Ipmi;

/// <summary>One authenticated RMCP+ session with one BMC. Commands on it run one at a time (a BMC answers a session's
/// requests in order, and the session sequence numbers must not race); use several sessions for parallel work.</summary>
public sealed class IpmiSession : IAsyncDisposable
{
    private readonly IpmiRoute route;
    private readonly BmcTarget target;
    private readonly EstablishedSession established;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly ReplayWindow replay = new();
    private uint sequence;
    private byte requestSequence;
    private bool closed;
    private string? rejected; // why the last datagram routed to this session was unusable

    private IpmiSession(IpmiRoute route, BmcTarget target, EstablishedSession established)
    {
        this.route = route;
        this.target = target;
        this.established = established;
        Ceiling = CeilingOf(target);
        Privilege = Ceiling < IpmiPrivilege.User ? Ceiling : IpmiPrivilege.User;
    }

    /// <summary>The highest privilege the session may be raised to: the one it was opened for (RAKP 1).</summary>
    public IpmiPrivilege Ceiling { get; }

    /// <summary>What a session for <paramref name="target"/> asks for; see <see cref="BmcTarget.Privilege"/>.</summary>
    internal static IpmiPrivilege CeilingOf(BmcTarget target) => target.Privilege ?? IpmiPrivilege.Operator;

    /// <summary>The session's present privilege. RMCP+ sessions start at USER (IPMI 2.0 §22.18); it is raised to the
    /// target's privilege only when a command needs more, which spares reads a round trip.</summary>
    public IpmiPrivilege Privilege { get; private set; }

    public CipherSuite Suite => established.Suite;
    public uint BmcSessionId => established.BmcSessionId;
    public uint ConsoleSessionId => route.ConsoleSessionId;

    /// <summary>The managed system GUID the BMC sent in RAKP 2, in wire order.</summary>
    public byte[] BmcGuid => established.BmcGuid;

    /// <summary>Set when a command went unanswered: the BMC may have dropped the session, so open a new one.</summary>
    public bool IsBroken { get; private set; }

    /// <summary>Opens a session: channel capabilities (skipped when this transport already negotiated with the BMC),
    /// Open Session, RAKP 1–4. The session starts at USER; see <see cref="Privilege"/>.</summary>
    /// <exception cref="BmcUnreachableException">No answer within the attempts of the transport's options.</exception>
    /// <exception cref="BmcAuthenticationException">Unknown user, wrong password or a privilege the user lacks.</exception>
    /// <exception cref="BmcCipherSuiteException">The BMC offers none of the suites asked for.</exception>
    public static async Task<IpmiSession> OpenAsync(IpmiTransport transport, BmcTarget target, CancellationToken ct = default)
    {
        var route = transport.Register(await ResolveAsync(target, ct));
        try
        {
            var established = await new SessionHandshake(route, target).RunAsync(ct);
            return new IpmiSession(route, target, established);
        }
        catch
        {
            route.Dispose();
            throw;
        }
    }

    /// <summary>Sends one command at the session's ceiling (raising the session first if it is lower) and returns the
    /// response data.</summary>
    /// <exception cref="BmcCommandRejectedException">A non-zero completion code, with its meaning.</exception>
    /// <exception cref="BmcAuthenticationException">The user may not raise the session to its ceiling.</exception>
    public Task<byte[]> SendAsync(string what, byte netFn, byte command, byte[] data, CancellationToken ct = default) =>
        SendAsync(what, netFn, command, data, Ceiling, ct);

    /// <summary>Sends one command that needs at least <paramref name="needed"/>; a lower session is raised to its
    /// ceiling first (never above it: a command needing more is left for the BMC to refuse).</summary>
    public async Task<byte[]> SendAsync(string what, byte netFn, byte command, byte[] data, IpmiPrivilege needed, CancellationToken ct = default)
    {
        if (Privilege < needed && Privilege < Ceiling) await RaisePrivilegeAsync(ct);
        var response = await ExchangeAsync(what, netFn, command, data, ct);
        if (response.CompletionCode == CompletionCodes.Ok) return response.Data;
        var cc = response.CompletionCode;
        throw new BmcCommandRejectedException(target.Name, what, cc, CompletionCodes.Describe(cc), CompletionCodes.IsTransient(cc));
    }

    /// <summary>Sends one command as the session stands (no privilege change) and returns the whole response, whatever
    /// its completion code.</summary>
    public async Task<IpmiResponse> ExchangeAsync(string what, byte netFn, byte command, byte[] data, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(closed, this);
        await gate.WaitAsync(ct);
        rejected = null;
        try
        {
            var rqSeq = requestSequence = (byte)((requestSequence + 1) & 0x3F);
            var message = new IpmiRequest(netFn, command, rqSeq, data).Encode();
            // Each retransmission takes a new session sequence number (the BMC discards repeats as replays); the
            // unchanged rqSeq lets it recognise the retry, and lets us accept whichever copy's answer arrives.
            return await route.ExchangeAsync(
                _ => SessionPacket.EncodeSession(PayloadType.IpmiMessage, BmcSessionId, ++sequence, message, Suite, established.Keys),
                d => Match(d, netFn, command, rqSeq), ct);
        }
        catch (TimeoutException e)
        {
            IsBroken = true;
            throw ExchangeTimeoutException.Verdict(target.Name, what, e, rejected);
        }
        catch (SocketException e)
        {
            IsBroken = true;
            throw new BmcUnreachableException(target.Name, $"cannot send {what}: {e.Message}", e);
        }
        finally
        {
            gate.Release();
        }
    }

    private IpmiResponse? Match(byte[] datagram, byte netFn, byte command, byte rqSeq)
    {
        if (!SessionPacket.TryDecode(datagram, Suite, established.Keys, out var packet, out var error))
        {
            rejected = error;
            return null;
        }
        if (packet.Ipmi15 || packet.Type != PayloadType.IpmiMessage || packet.SessionId != ConsoleSessionId) return null;
        if (!IpmiResponse.TryDecode(packet.Payload, out var response))
        {
            rejected = "the IPMI message is malformed (length or checksum)";
            return null;
        }
        if (response!.Sequence != rqSeq || response.Command != command || response.NetFn != (netFn | 1)) return null;
        return replay.Accept(packet.Sequence) ? response : null;
    }

    private async Task RaisePrivilegeAsync(CancellationToken ct)
    {
        const string what = "Set Session Privilege Level";
        var response = await ExchangeAsync(what, IpmiCommands.NetFnApp, IpmiCommands.SetSessionPrivilegeLevel, [(byte)Ceiling], ct);
        if (response.CompletionCode != CompletionCodes.Ok)
            throw new BmcAuthenticationException(target.Name, $"user '{target.Username}' may not use privilege {Ceiling}: " +
                                                              $"{what} refused, {CompletionCodes.Describe(response.CompletionCode)}");
        Privilege = Ceiling;
    }

    /// <summary>Closes the session on the BMC (one short attempt: the BMC also ends idle sessions itself).</summary>
    public async ValueTask DisposeAsync()
    {
        if (closed) return;
        try
        {
            if (!IsBroken)
            {
                using var timeout = new CancellationTokenSource(route.Options.CloseTimeout, route.Options.Clock);
                var id = BitConverter.GetBytes(BmcSessionId); // little-endian on every platform .NET runs IPMI on
                await ExchangeAsync("Close Session", IpmiCommands.NetFnApp, IpmiCommands.CloseSession, id, timeout.Token);
            }
        }
        catch (Exception e) when (e is BmcException or OperationCanceledException or ObjectDisposedException)
        {
            // Closing is a courtesy; the session times out on the BMC anyway (and a transport disposed first has no socket left).
        }
        finally
        {
            closed = true;
            route.Dispose();
        }
    }

    private static async Task<IPEndPoint> ResolveAsync(BmcTarget target, CancellationToken ct)
    {
        var port = target.Port == 0 ? 623 : target.Port;
        if (IPAddress.TryParse(target.Host, out var address)) return new IPEndPoint(address, port);
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(target.Host, AddressFamily.InterNetwork, ct);
            if (addresses.Length > 0) return new IPEndPoint(addresses[0], port);
        }
        catch (SocketException e)
        {
            throw new BmcUnreachableException(target.Name, $"cannot resolve {target.Host}: {e.Message}", e);
        }
        throw new BmcUnreachableException(target.Name, $"{target.Host} has no IPv4 address");
    }
}
