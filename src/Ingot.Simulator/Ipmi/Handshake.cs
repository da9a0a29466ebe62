using System.Net;
using System.Security.Cryptography;
using System.Text;
using Ingot.Bmc;
using Ingot.Bmc.Ipmi;

namespace Ingot.Simulator.Ipmi;

/// <summary>The BMC side of the RMCP+ handshake (IPMI 2.0 §13.17–13.23): Open Session, RAKP 1 → 2, RAKP 3 → 4.
/// Each method returns the datagram to send back, or null to stay silent (undecodable or out-of-place input).</summary>
internal sealed class Handshake(SimulatedBmc bmc, SessionTable sessions)
{
    private readonly byte[] guid = bmc.Guid.ToByteArray();

    public byte[]? OpenSession(byte[] payload, EndPoint peer)
    {
        if (!OpenSessionRequest.TryDecode(payload, out var rq) || rq is null) return null;
        var suite = ChannelCommands.Offered.FirstOrDefault(s =>
            s.Auth == rq.Auth && s.Integrity == rq.Integrity && s.Confidentiality == rq.Confidentiality);
        var requested = (byte)(rq.RequestedPrivilege & 0x0F);
        if (suite is null) return OpenFailure(rq, RmcpStatusCodes.NoCipherSuiteMatch);
        if (requested > (byte)IpmiPrivilege.Administrator) return OpenFailure(rq, 0x09); // invalid role
        var retransmitted = sessions.FindOpening(rq.ConsoleSessionId, peer);
        if (retransmitted?.OpenAnswer is { } previous && retransmitted.Suite == suite)
            return OpenPacket(previous with { MessageTag = rq.MessageTag });
        var session = sessions.Open(rq.ConsoleSessionId, suite, peer);
        if (session is null) return OpenFailure(rq, 0x01); // insufficient resources to create a session
        // 0 asks for "the highest level the proposal allows"; the user is not known yet, so that is Administrator.
        var max = requested == 0 ? (byte)IpmiPrivilege.Administrator : requested;
        session.OpenAnswer = new OpenSessionResponse(rq.MessageTag, 0, max, rq.ConsoleSessionId, session.BmcSessionId, suite.Auth,
                                                     suite.Integrity, suite.Confidentiality);
        return OpenPacket(session.OpenAnswer);
    }

    public byte[]? Rakp1(byte[] payload)
    {
        if (!Ingot.Bmc.Ipmi.Rakp1.TryDecode(payload, out var rq) || rq is null) return null;
        var session = sessions.Find(rq.BmcSessionId);
        if (session is null || session.State == SessionState.Active) return null;
        if (session is { State: SessionState.Rakp1Seen, Rakp2Answer: { } previous } && rq.ConsoleRandom.AsSpan().SequenceEqual(session.ConsoleRandom))
            return Rakp2Packet(previous with { MessageTag = rq.MessageTag }); // same random: same answer, or the keys would differ
        var status = CheckUser(rq, out var user);
        if (status != 0)
        {
            sessions.Close(session.BmcSessionId);
            return Rakp2Packet(new Rakp2(rq.MessageTag, status, session.ConsoleSessionId, [], [], []));
        }
        session.User = user;
        session.Role = rq.RequestedRole;
        session.MaxPrivilege = (IpmiPrivilege)(rq.RequestedRole & 0x0F);
        session.ConsoleRandom = rq.ConsoleRandom;
        session.BmcRandom = RandomNumberGenerator.GetBytes(16);
        var code = Rakp.Rakp2AuthCode(session.Suite, Password(user!), session.ConsoleSessionId, session.BmcSessionId,
                                      session.ConsoleRandom, session.BmcRandom, guid, session.Role, rq.UserName);
        session.Rakp2Answer = new Rakp2(rq.MessageTag, 0, session.ConsoleSessionId, session.BmcRandom, guid, code);
        session.State = SessionState.Rakp1Seen;
        sessions.Touch(session);
        return Rakp2Packet(session.Rakp2Answer);
    }

    public byte[]? Rakp3(byte[] payload)
    {
        if (!Ingot.Bmc.Ipmi.Rakp3.TryDecode(payload, out var rq) || rq is null) return null;
        var session = sessions.Find(rq.BmcSessionId);
        if (session is null || session.State == SessionState.Opened) return null;
        if (session.State == SessionState.Active)
            return session.Rakp4Answer is { } previous ? Rakp4Packet(previous with { MessageTag = rq.MessageTag }) : null;
        if (rq.Status != 0)
        {
            // The console gave up (e.g. ipmitool after a RAKP 2 code it could not verify): forget the session.
            sessions.Close(session.BmcSessionId);
            return null;
        }
        var user = session.User!;
        var name = Encoding.UTF8.GetBytes(user.Name);
        var expected = Rakp.Rakp3AuthCode(session.Suite, Password(user), session.BmcRandom, session.ConsoleSessionId, session.Role, name);
        if (!CryptographicOperations.FixedTimeEquals(expected, rq.AuthCode))
        {
            sessions.Close(session.BmcSessionId);
            return Rakp4Packet(new Rakp4(rq.MessageTag, RmcpStatusCodes.InvalidIntegrityCheck, session.ConsoleSessionId, []));
        }
        session.Keys = SessionKeys.Derive(session.Suite, Password(user), session.ConsoleRandom, session.BmcRandom, session.Role, name);
        var icv = Rakp.Rakp4IntegrityCheck(session.Suite, session.Keys.Sik, session.ConsoleRandom, session.BmcSessionId, guid);
        session.Rakp4Answer = new Rakp4(rq.MessageTag, 0, session.ConsoleSessionId, icv);
        session.State = SessionState.Active;
        session.Privilege = session.MaxPrivilege < IpmiPrivilege.User ? session.MaxPrivilege : IpmiPrivilege.User;
        sessions.Touch(session);
        return Rakp4Packet(session.Rakp4Answer);
    }

    /// <summary>0 when the user may log in at the requested role, else the RAKP 2 status to refuse with.</summary>
    private byte CheckUser(Bmc.Ipmi.Rakp1 rq, out SimUser? user)
    {
        user = null;
        var privilege = rq.RequestedRole & 0x0F;
        if (privilege is < 1 or > 4) return 0x09; // invalid role
        // Injected fault: every login is refused as an unknown name, the answer a BMC gives a bad user.
        if (bmc.Faults.WrongCredentials) return RmcpStatusCodes.UnauthorizedName;
        user = bmc.FindUser(Encoding.UTF8.GetString(rq.UserName));
        if (user is null) return RmcpStatusCodes.UnauthorizedName;
        // A 'user' account asking for operator or administrator is refused at login rather than per command:
        // ipmitool -v then says "unauthorized role requested", ipmipower "privilege level cannot be obtained for
        // this user" (IpmitoolTests/FreeIpmiTests UserAccount_AskingForAdministrator_*).
        if (privilege > (int)user.MaxPrivilege) return 0x0A; // unauthorized role or privilege level requested
        return 0;
    }

    /// <summary>The user's key Kuid. HMAC pads short keys with zeros, so this equals the 20-byte zero-padded
    /// password buffer ipmitool and FreeIPMI key their HMACs with.</summary>
    private static byte[] Password(SimUser user) => Encoding.UTF8.GetBytes(user.Password);

    private static byte[] OpenFailure(OpenSessionRequest rq, byte status) =>
        SessionPacket.EncodeUnauthenticated(PayloadType.OpenSessionResponse,
            new OpenSessionResponse(rq.MessageTag, status, 0, rq.ConsoleSessionId, 0, AuthAlgorithm.None, IntegrityAlgorithm.None,
                                    ConfidentialityAlgorithm.None).Encode());

    private static byte[] OpenPacket(OpenSessionResponse m) => SessionPacket.EncodeUnauthenticated(PayloadType.OpenSessionResponse, m.Encode());

    private static byte[] Rakp2Packet(Rakp2 m) => SessionPacket.EncodeUnauthenticated(PayloadType.Rakp2, m.Encode());

    private static byte[] Rakp4Packet(Rakp4 m) => SessionPacket.EncodeUnauthenticated(PayloadType.Rakp4, m.Encode());
}
