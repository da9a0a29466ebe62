using System.Net;
using System.Security.Cryptography;
using Ingot.Bmc.Ipmi;

namespace Ingot.Simulator.Ipmi;

/// <summary>Limits on one simulated BMC's sessions. Real BMCs allow a handful; the defaults leave room for
/// FreeIPMI's parallel ipmipower and for benchmarks while still exercising "no free session".</summary>
public sealed record SessionLimits
{
    /// <summary>Sessions (in any state) one BMC holds at once; Open Session beyond it gets status 0x01.</summary>
    public int MaxSessions { get; init; } = 32;

    /// <summary>A session with no valid packet for this long is forgotten (IPMI's default is 60 s).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A handshake that has not reached RAKP 3 within this time is forgotten.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>One BMC's sessions, keyed by the BMC-side session id. Used only from its server's receive loop.</summary>
internal sealed class SessionTable(SessionLimits limits, TimeProvider time)
{
    private readonly Dictionary<uint, BmcSession> sessions = [];

    public int Count => sessions.Count;

    /// <summary>A new session in state Opened, or null when the table is full even after expiry. A console that
    /// retransmits its Open Session request (same peer, same console session id) replaces its half-open session
    /// instead of using up another slot.</summary>
    public BmcSession? Open(uint consoleSessionId, CipherSuite suite, EndPoint peer)
    {
        var now = time.GetUtcNow();
        Expire(now);
        var stale = sessions.Values.FirstOrDefault(s =>
            s.State != SessionState.Active && s.ConsoleSessionId == consoleSessionId && s.Peer.Equals(peer));
        if (stale is not null) sessions.Remove(stale.BmcSessionId);
        if (sessions.Count >= limits.MaxSessions) return null;
        var session = new BmcSession(NewId(), consoleSessionId, suite, peer, now);
        sessions[session.BmcSessionId] = session;
        return session;
    }

    /// <summary>The half-open session a retransmitted Open Session request belongs to, if any.</summary>
    public BmcSession? FindOpening(uint consoleSessionId, EndPoint peer) =>
        sessions.Values.FirstOrDefault(s => s.State == SessionState.Opened && s.ConsoleSessionId == consoleSessionId && s.Peer.Equals(peer));

    public BmcSession? Find(uint bmcSessionId)
    {
        if (!sessions.TryGetValue(bmcSessionId, out var session)) return null;
        if (!IsExpired(session, time.GetUtcNow())) return session;
        sessions.Remove(bmcSessionId);
        return null;
    }

    public void Touch(BmcSession session) => session.LastActivity = time.GetUtcNow();

    public bool Close(uint bmcSessionId) => sessions.Remove(bmcSessionId);

    private void Expire(DateTimeOffset now)
    {
        foreach (var id in sessions.Values.Where(s => IsExpired(s, now)).Select(s => s.BmcSessionId).ToList())
            sessions.Remove(id);
    }

    private bool IsExpired(BmcSession s, DateTimeOffset now) =>
        now - s.LastActivity > (s.State == SessionState.Active ? limits.IdleTimeout : limits.HandshakeTimeout);

    /// <summary>Random, non-zero and unused: 0 means "no session" on the wire, and a guessable id would let one
    /// console's stray packets land in another's session.</summary>
    private uint NewId()
    {
        while (true)
        {
            var id = BitConverter.ToUInt32(RandomNumberGenerator.GetBytes(4));
            if (id != 0 && !sessions.ContainsKey(id)) return id;
        }
    }
}
