using System.Net;

namespace Ingot.Bmc.Ipmi;

/// <summary>Timing and sockets of the IPMI client. Every wait is derived from these (STYLE.md: deadlines come from options).</summary>
public sealed record IpmiClientOptions
{
    /// <summary>How long one attempt waits for its answer before the request is sent again. BMCs usually answer in
    /// milliseconds; a busy one in a few hundred.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Sends per request (the first and the retransmissions). UDP loses packets; four tries ride out a short burst.
    /// The longest a single exchange can take is AttemptTimeout × Attempts.</summary>
    public int Attempts { get; init; } = 4;

    /// <summary>UDP sockets shared by all sessions. A few spread the receive work over cores; one per BMC would not scale.</summary>
    public int SocketCount { get; init; } = Math.Clamp(Environment.ProcessorCount, 1, 4);

    /// <summary>Local address the sockets bind (port chosen by the system). Any reaches real BMC networks; tests bind loopback.</summary>
    public IPAddress LocalAddress { get; init; } = IPAddress.Any;

    /// <summary>Close Session is a courtesy (the BMC also times idle sessions out), so it gets one short attempt.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    public void Validate()
    {
        if (AttemptTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(AttemptTimeout), "must be positive");
        if (Attempts < 1) throw new ArgumentOutOfRangeException(nameof(Attempts), "at least one attempt");
        if (SocketCount < 1) throw new ArgumentOutOfRangeException(nameof(SocketCount), "at least one socket");
    }
}
