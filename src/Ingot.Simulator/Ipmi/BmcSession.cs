using System.Net;
using Ingot.Bmc;
using Ingot.Bmc.Ipmi;

namespace Ingot.Simulator.Ipmi;

/// <summary>Where a session is in the RMCP+ handshake: Open Session answered → RAKP 1 answered → RAKP 3
/// accepted (active). Only active sessions may carry IPMI commands.</summary>
internal enum SessionState { Opened, Rakp1Seen, Active }

/// <summary>One BMC-side RMCP+ session. Touched only from its server's receive loop, so it needs no lock.</summary>
internal sealed class BmcSession(uint bmcSessionId, uint consoleSessionId, CipherSuite suite, EndPoint peer, DateTimeOffset now)
{
    public uint BmcSessionId { get; } = bmcSessionId;
    public uint ConsoleSessionId { get; } = consoleSessionId;
    public CipherSuite Suite { get; } = suite;
    public EndPoint Peer { get; } = peer;
    public SessionState State { get; set; } = SessionState.Opened;
    public DateTimeOffset LastActivity { get; set; } = now;

    /// <summary>The handshake answers, resent when the console retransmits a request — with the retransmission's
    /// message tag: FreeIPMI's ipmipower gives every retransmitted RAKP 3 a new tag and ignores a RAKP 4 that
    /// echoes an older one, so a stored datagram would never satisfy it
    /// (RobustnessTests.DropRateFault_FreeIpmiRetransmitsUntilThePowerIsOn, when the host is slow).</summary>
    public OpenSessionResponse? OpenAnswer { get; set; }
    public Rakp2? Rakp2Answer { get; set; }
    public Rakp4? Rakp4Answer { get; set; }

    // Handshake material, set by RAKP 1.
    public byte[] ConsoleRandom { get; set; } = [];
    public byte[] BmcRandom { get; set; } = [];
    public byte Role { get; set; }
    public SimUser? User { get; set; }
    public SessionKeys? Keys { get; set; }

    /// <summary>The highest privilege this session may reach (the role of RAKP 1).</summary>
    public IpmiPrivilege MaxPrivilege { get; set; } = IpmiPrivilege.User;

    /// <summary>The privilege commands run at. A session starts at User (or lower) and rises only through Set Session
    /// Privilege Level (IPMI 2.0 §22.18; OpenIPMI's lanserv does the same), which ipmitool and FreeIPMI send right
    /// after RAKP 4 when asked for more than User (IpmitoolTests.Operator_MayPowerOn).</summary>
    public IpmiPrivilege Privilege { get; set; } = IpmiPrivilege.User;

    public SequenceWindow Inbound { get; } = new();
    private uint outbound;

    /// <summary>The BMC's own outbound session sequence number: starts at 1, never 0 (0 is for pre-session packets).</summary>
    public uint NextOutboundSequence()
    {
        outbound = outbound == uint.MaxValue ? 1 : outbound + 1;
        return outbound;
    }

    /// <summary>The last command answered, so a retransmission of it (same rqSeq, netfn and command, soon after)
    /// is answered again without running twice: ipmitool resends a request whose answer was lost with the same
    /// rqSeq and a new session sequence number, and a power cycle must not count twice (PacketRouterTests.RetransmittedPowerCycle_RunsOnce).
    /// Only the last one: rqSeq has six bits and wraps, so an older match would be a new request.</summary>
    public (byte Seq, byte NetFn, byte Command, DateTimeOffset At, IpmiResponse Answer)? LastAnswer { get; set; }
}

/// <summary>The integrity-checked session sequence numbers seen (IPMI 2.0 §6.12.13): a number is accepted once,
/// and only within 32 of the highest one accepted so far, so a replayed packet is dropped.</summary>
internal sealed class SequenceWindow
{
    private const int Size = 32;
    private uint highest;
    private ulong seen; // bit i: highest - i was accepted

    public bool Accept(uint sequence)
    {
        if (sequence == 0) return false;
        if (sequence > highest)
        {
            var shift = sequence - highest;
            if (highest != 0 && shift > Size) return false;
            seen = shift >= 64 ? 1UL : (seen << (int)shift) | 1UL;
            highest = sequence;
            return true;
        }
        var age = highest - sequence;
        if (age >= Size || (seen & (1UL << (int)age)) != 0) return false;
        seen |= 1UL << (int)age;
        return true;
    }
}
