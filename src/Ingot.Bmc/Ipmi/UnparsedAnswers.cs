using System.Collections.Concurrent;
using System.Net;

namespace Ingot.Bmc.Ipmi;

/// <summary>The last datagram from each BMC address that was no IPMI packet at all (its framing broken), which the
/// receive loop could therefore give to no session. A session that then times out asks here, so that a BMC answering
/// garbage is reported as that, not as silence (issue 11 A.6: "no answer" sent operators looking at the network).
/// Well-framed packets for no known session (a late answer to a closed session) are not kept: they prove nothing.</summary>
internal sealed class UnparsedAnswers(TimeProvider clock)
{
    /// <summary>Addresses remembered at most; a flood from many (spoofed) addresses clears the lot rather than grow it.</summary>
    private const int MaxPeers = 4096;

    private readonly ConcurrentDictionary<IPEndPoint, (long At, string What)> last = new();

    public void Note(IPEndPoint from, string error, ReadOnlySpan<byte> datagram)
    {
        if (last.Count >= MaxPeers && !last.ContainsKey(from)) last.Clear();
        var head = string.Join(' ', datagram[..Math.Min(8, datagram.Length)].ToArray().Select(b => b.ToString("x2")));
        last[from] = (clock.GetTimestamp(), $"{error} ({datagram.Length} bytes: {head}{(datagram.Length > 8 ? " …" : "")})");
    }

    /// <summary>What the address last sent that could not be parsed, if it came at or after <paramref name="timestamp"/>.</summary>
    public string? Since(IPEndPoint from, long timestamp) => last.TryGetValue(from, out var seen) && seen.At >= timestamp ? seen.What : null;
}

/// <summary>No usable answer after every attempt of an exchange; <see cref="Unparsed"/> says what the BMC sent instead,
/// when it sent something that could not be parsed.</summary>
internal sealed class ExchangeTimeoutException(string message, string? unparsed) : TimeoutException(message)
{
    public string? Unparsed { get; } = unparsed;

    /// <summary>The one verdict on an exchange that timed out: garbage (an answer routed to the session but unusable,
    /// <paramref name="rejected"/>, or one no session could take) is a malformed reply; nothing at all is unreachable.</summary>
    public static BmcException Verdict(string bmc, string what, TimeoutException e, string? rejected) =>
        (rejected ?? (e as ExchangeTimeoutException)?.Unparsed) is { } why
            ? new BmcMalformedReplyException(bmc, $"sent an answer that could not be parsed ({what}): {why}")
            : new BmcUnreachableException(bmc, $"no answer to {what}: {e.Message}", e);
}
