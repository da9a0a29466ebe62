using System.Net;
using Ingot.Bmc;
using Ingot.Bmc.Ipmi;

namespace Ingot.Simulator.Ipmi;

/// <summary>Turns one request datagram into its answer (or silence): pre-session IPMI 1.5 and RMCP+ messages,
/// the handshake, and in-session commands. Used only from one server's receive loop, so the session table and
/// sessions need no locks. Throws nothing on purpose, but its caller still catches everything.</summary>
internal sealed class PacketRouter(SimulatedBmc bmc, SessionLimits limits, TimeProvider time)
{
    /// <summary>How long a repeated request with the same rqSeq counts as a retransmission of the last one.</summary>
    private static readonly TimeSpan RetransmitWindow = TimeSpan.FromSeconds(5);

    private readonly SessionTable sessions = new(limits, time);
    private readonly BmcCommands commands = new(bmc);
    private Handshake? handshake;

    public int SessionCount => sessions.Count;

    private Handshake Handshake => handshake ??= new Handshake(bmc, sessions);

    public byte[]? Route(byte[] datagram, EndPoint peer)
    {
        if (!SessionPacket.TryPeek(datagram, out var ipmi15, out var type, out var sessionId)) return null;
        if (ipmi15) return sessionId == 0 ? PreSession(datagram, ipmi15: true) : null; // IPMI 1.5 sessions: not offered
        return type switch
        {
            PayloadType.OpenSessionRequest when sessionId == 0 => Decoded(datagram, p => Handshake.OpenSession(p, peer)),
            PayloadType.Rakp1 when sessionId == 0 => Decoded(datagram, Handshake.Rakp1),
            PayloadType.Rakp3 when sessionId == 0 => Decoded(datagram, Handshake.Rakp3),
            PayloadType.IpmiMessage when sessionId == 0 => PreSession(datagram, ipmi15: false),
            PayloadType.IpmiMessage => InSession(datagram, sessionId),
            _ => null,
        };
    }

    private static byte[]? Decoded(byte[] datagram, Func<byte[], byte[]?> handle) =>
        SessionPacket.TryDecode(datagram, null, null, out var packet, out _) && !packet.Ipmi15 ? handle(packet.Payload) : null;

    /// <summary>Sessionless commands: only the two that describe the channel. ipmitool and FreeIPMI send them in IPMI
    /// 1.5 framing; the answer goes back in the framing the question came in.</summary>
    private static byte[]? PreSession(byte[] datagram, bool ipmi15)
    {
        if (!SessionPacket.TryDecode(datagram, null, null, out var packet, out _)) return null;
        if (!IpmiRequest.TryDecode(packet.Payload, out var rq) || rq is null || rq.NetFn != IpmiCommands.NetFnApp) return null;
        CommandResult? result = rq.Command switch
        {
            IpmiCommands.GetChannelAuthCapabilities => ChannelCommands.AuthCapabilities(rq.Data),
            IpmiCommands.GetChannelCipherSuites => ChannelCommands.CipherSuites(rq.Data),
            _ => null,
        };
        if (result is not { } r) return null;
        var answer = IpmiResponse.To(rq, r.CompletionCode, r.Data).Encode();
        return ipmi15 ? SessionPacket.EncodeIpmi15(answer) : SessionPacket.EncodeUnauthenticated(PayloadType.IpmiMessage, answer);
    }

    private byte[]? InSession(byte[] datagram, uint sessionId)
    {
        var session = sessions.Find(sessionId);
        if (session is not { State: SessionState.Active, Keys: { } keys }) return null;
        if (!SessionPacket.TryDecode(datagram, session.Suite, keys, out var packet, out _)) return null;
        if (!session.Inbound.Accept(packet.Sequence)) return null; // replayed or far out of window
        if (!IpmiRequest.TryDecode(packet.Payload, out var rq) || rq is null) return null;
        sessions.Touch(session);
        var answer = Answer(session, rq);
        // Encoded before Close Session removes the session: the answer still travels under its keys.
        var reply = SessionPacket.EncodeSession(PayloadType.IpmiMessage, session.ConsoleSessionId, session.NextOutboundSequence(),
                                                answer.Encode(), session.Suite, keys);
        if (rq is { NetFn: IpmiCommands.NetFnApp, Command: IpmiCommands.CloseSession } && answer.CompletionCode == CompletionCodes.Ok)
            sessions.Close(CloseTarget(rq.Data));
        return reply;
    }

    private IpmiResponse Answer(BmcSession session, IpmiRequest rq)
    {
        var now = time.GetUtcNow();
        if (session.LastAnswer is { } last && last.Seq == rq.Sequence && last.NetFn == rq.NetFn && last.Command == rq.Command &&
            now - last.At < RetransmitWindow)
            return last.Answer;
        var result = rq.NetFn == IpmiCommands.NetFnApp && rq.Command is IpmiCommands.SetSessionPrivilegeLevel or IpmiCommands.CloseSession
            ? SessionCommand(session, rq)
            : commands.Handle(rq.NetFn, rq.Command, rq.Data, session.Privilege);
        var answer = IpmiResponse.To(rq, result.CompletionCode, result.Data);
        session.LastAnswer = (rq.Sequence, rq.NetFn, rq.Command, now, answer);
        return answer;
    }

    private CommandResult SessionCommand(BmcSession session, IpmiRequest rq)
    {
        if (rq.Command == IpmiCommands.CloseSession)
        {
            if (rq.Data.Length is not (4 or 5)) return CommandResult.Fail(CompletionCodes.RequestDataLengthInvalid);
            return sessions.Find(CloseTarget(rq.Data)) is null ? CommandResult.Fail(CompletionCodes.InvalidSessionId) : CommandResult.Ok();
        }
        if (rq.Data.Length != 1) return CommandResult.Fail(CompletionCodes.RequestDataLengthInvalid);
        var wanted = rq.Data[0] & 0x0F;
        if (wanted == 0) return CommandResult.Ok((byte)session.Privilege); // 0: "no change", report the present level
        if (wanted is < 1 or > 4) return CommandResult.Fail(CompletionCodes.InvalidDataField);
        if (wanted > (int)session.MaxPrivilege) return CommandResult.Fail(CompletionCodes.PrivilegeAboveLimit);
        session.Privilege = (IpmiPrivilege)wanted;
        return CommandResult.Ok((byte)wanted);
    }

    private static uint CloseTarget(byte[] data) => BitConverter.ToUInt32(data, 0);
}
