using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Ingot.Bmc.Ipmi;

/// <summary>The session keys and identities a completed RAKP exchange leaves behind.</summary>
internal sealed record EstablishedSession(CipherSuite Suite, uint BmcSessionId, SessionKeys Keys, byte[] BmcGuid);

/// <summary>Everything before the first command (IPMI 2.0 §13.14–13.23): Get Channel Authentication Capabilities,
/// Open Session (negotiating the suite), RAKP 1–4 with both sides' proofs checked. Authentication failures are
/// reported at once and never retried; only silence is retransmitted.</summary>
internal sealed class SessionHandshake(IpmiRoute route, BmcTarget target)
{
    private readonly byte privilege = (byte)IpmiSession.CeilingOf(target);
    private readonly byte[] userName = Encoding.UTF8.GetBytes(target.Username ?? "");
    private readonly byte[] password = Encoding.UTF8.GetBytes(target.Password ?? "");
    private byte tag;
    private string? rejected; // why the last datagram routed to us was unusable: turns silence into "malformed"

    public async Task<EstablishedSession> RunAsync(CancellationToken ct)
    {
        if (userName.Length > 16) throw new BmcAuthenticationException(target.Name, "IPMI user names are at most 16 bytes");
        if (password.Length > 20) throw new BmcAuthenticationException(target.Name, "IPMI 2.0 passwords are at most 20 bytes");
        tag = await route.ClaimHandshakeTagAsync(ct);
        try
        {
            // The capabilities exchange only tells us whether RMCP+ is on offer; once a session has been opened with this
            // BMC through this transport that is known, and skipping it saves a round trip per session.
            var known = route.Transport.NegotiatedSuite(route.Remote) is not null;
            if (!known) await CheckChannelAsync(ct);
            var first = true;
            foreach (var suite in Candidates())
            {
                // A fresh tag per proposal: a refusal of the previous suite, retransmitted and arriving late, carries only
                // its tag (ipmi_sim cuts refusals short) and must not be read as a refusal of this one.
                if (!first) tag = await route.ClaimHandshakeTagAsync(ct);
                first = false;
                uint? bmcSid;
                try
                {
                    bmcSid = await OpenAsync(suite, ct);
                }
                catch (BmcUnreachableException) when (known)
                {
                    route.Transport.ForgetSuite(route.Remote); // the next session asks for the capabilities again
                    throw;
                }
                if (bmcSid is not { } sid) continue;
                route.Transport.RememberSuite(route.Remote, suite.Id);
                return await AuthenticateAsync(suite, sid, ct);
            }
            throw new BmcCipherSuiteException(target.Name,
                $"offers none of the cipher suites {string.Join(", ", CipherSuite.Negotiable.Select(s => s.Id))}");
        }
        finally
        {
            route.ReleaseHandshakeTag();
        }
    }

    private IEnumerable<CipherSuite> Candidates()
    {
        if (target.CipherSuite is not { } id)
        {
            var known = route.Transport.NegotiatedSuite(route.Remote);
            return CipherSuite.Negotiable.OrderBy(s => s.Id == known ? 0 : 1);
        }
        if (CipherSuite.Find(id) is { IsImplemented: true } suite) return [suite];
        throw new BmcCipherSuiteException(target.Name, $"cipher suite {id} is not supported by Ingot (use 3 or 17)");
    }

    private async Task CheckChannelAsync(CancellationToken ct)
    {
        var request = GetChannelAuthCapabilities.Request(tag, privilege);
        var datagram = SessionPacket.EncodeIpmi15(request.Encode());
        var response = await AskAsync("Get Channel Authentication Capabilities", _ => datagram, d => ChannelAnswer(d, request), ct);
        if (response.CompletionCode != CompletionCodes.Ok)
            throw new BmcCommandRejectedException(target.Name, "Get Channel Authentication Capabilities", response.CompletionCode,
                CompletionCodes.Describe(response.CompletionCode), CompletionCodes.IsTransient(response.CompletionCode));
        if (!ChannelAuthCapabilities.TryDecode(response.Data, out var caps))
            throw new BmcMalformedReplyException(target.Name, "Get Channel Authentication Capabilities answer is too short");
        if (!caps!.SupportsIpmi20)
            throw new BmcUnsupportedException(target.Name, "does not offer IPMI 2.0 (RMCP+) on this channel");
    }

    private IpmiResponse? ChannelAnswer(byte[] datagram, IpmiRequest request)
    {
        if (!SessionPacket.TryDecode(datagram, null, null, out var p, out var error) || !p.Ipmi15)
        {
            rejected = error ?? "an RMCP+ packet where an IPMI 1.5 answer belongs";
            return null;
        }
        if (!IpmiResponse.TryDecode(p.Payload, out var r))
        {
            rejected = "the IPMI message is malformed (length or checksum)";
            return null;
        }
        return r!.Command == request.Command && r.Sequence == tag ? r : null;
    }

    /// <returns>The BMC's session id, or null when the BMC does not offer this suite.</returns>
    private async Task<uint?> OpenAsync(CipherSuite suite, CancellationToken ct)
    {
        var datagram = SessionPacket.EncodeUnauthenticated(PayloadType.OpenSessionRequest,
            OpenSessionRequest.For(suite, tag, privilege, route.ConsoleSessionId).Encode());
        var response = await AskAsync($"Open Session (cipher suite {suite.Id})", _ => datagram,
            d => Payload<OpenSessionResponse>(d, PayloadType.OpenSessionResponse, OpenSessionResponse.TryDecode), ct);
        if (RmcpStatusCodes.IsCipherMismatch(response.Status))
        {
            if (target.CipherSuite is not null)
                throw new BmcCipherSuiteException(target.Name,
                    $"refused cipher suite {suite.Id}: {RmcpStatusCodes.Describe(response.Status)}");
            return null;
        }
        ThrowOnStatus("Open Session", response.Status);
        if (response.ConsoleSessionId != route.ConsoleSessionId || response.BmcSessionId == 0)
            throw new BmcMalformedReplyException(target.Name, "Open Session answer names another session");
        if (response.Auth != suite.Auth || response.Integrity != suite.Integrity || response.Confidentiality != suite.Confidentiality)
            throw new BmcCipherSuiteException(target.Name, $"answered cipher suite {suite.Id} with other algorithms");
        return response.BmcSessionId;
    }

    private async Task<EstablishedSession> AuthenticateAsync(CipherSuite suite, uint bmcSid, CancellationToken ct)
    {
        var rm = RandomNumberGenerator.GetBytes(16);
        // Bit 4: name-only lookup, so the privilege asked for is a ceiling, not part of the user's identity.
        var role = (byte)(0x10 | privilege);
        var rakp1 = SessionPacket.EncodeUnauthenticated(PayloadType.Rakp1, new Rakp1(tag, bmcSid, rm, role, userName).Encode());
        var rakp2 = await AskAsync("RAKP 1", _ => rakp1, d => Payload<Rakp2>(d, PayloadType.Rakp2, Rakp2.TryDecode), ct);
        ThrowOnStatus("RAKP 1", rakp2.Status);
        if (rakp2.ConsoleSessionId != route.ConsoleSessionId || rakp2.BmcRandom.Length != 16 || rakp2.BmcGuid.Length != 16)
            throw new BmcMalformedReplyException(target.Name, "RAKP 2 is malformed or names another session");
        var expected = Rakp.Rakp2AuthCode(suite, password, route.ConsoleSessionId, bmcSid, rm, rakp2.BmcRandom, rakp2.BmcGuid, role, userName);
        if (!CryptographicOperations.FixedTimeEquals(expected, rakp2.AuthCode))
        {
            // Tell the BMC to drop the half-open session rather than leave it to time out (§13.22 allows an error RAKP 3).
            await SendQuietlyAsync(new Rakp3(tag, RmcpStatusCodes.InvalidIntegrityCheck, bmcSid, []), ct);
            throw new BmcAuthenticationException(target.Name, $"wrong password for user '{target.Username}' (RAKP 2 authentication code does not match)");
        }
        var keys = SessionKeys.Derive(suite, password, rm, rakp2.BmcRandom, role, userName);
        var code = Rakp.Rakp3AuthCode(suite, password, rakp2.BmcRandom, route.ConsoleSessionId, role, userName);
        var rakp3 = SessionPacket.EncodeUnauthenticated(PayloadType.Rakp3, new Rakp3(tag, 0, bmcSid, code).Encode());
        var rakp4 = await AskAsync("RAKP 3", _ => rakp3, d => Payload<Rakp4>(d, PayloadType.Rakp4, Rakp4.TryDecode), ct);
        ThrowOnStatus("RAKP 3", rakp4.Status);
        var icv = Rakp.Rakp4IntegrityCheck(suite, keys.Sik, rm, bmcSid, rakp2.BmcGuid);
        if (!CryptographicOperations.FixedTimeEquals(icv, rakp4.IntegrityCheck))
            throw new BmcAuthenticationException(target.Name, "RAKP 4 integrity check does not match: the BMC did not derive the same session key");
        return new EstablishedSession(suite, bmcSid, keys, rakp2.BmcGuid);
    }

    private void ThrowOnStatus(string step, byte status)
    {
        if (status == RmcpStatusCodes.NoError) return;
        var meaning = RmcpStatusCodes.Describe(status);
        if (RmcpStatusCodes.IsAuthenticationFailure(status))
            throw new BmcAuthenticationException(target.Name,
                $"{step} refused for user '{target.Username}' at privilege {IpmiSession.CeilingOf(target)}: {meaning}",
                roleRefused: status is RmcpStatusCodes.InvalidRole or RmcpStatusCodes.UnauthorizedRole);
        if (RmcpStatusCodes.IsCipherMismatch(status)) throw new BmcCipherSuiteException(target.Name, $"{step} refused: {meaning}");
        // Out of sessions (0x01, 0x0B) may clear when other sessions end; anything else will not.
        throw new BmcCommandRejectedException(target.Name, step, null, $"RMCP+ status 0x{status:x2}, {meaning}",
                                              transient: status is 0x01 or 0x0B);
    }

    private delegate bool Decoder<T>(ReadOnlySpan<byte> data, out T? value);

    private T? Payload<T>(byte[] datagram, PayloadType type, Decoder<T> decode) where T : class
    {
        if (!SessionPacket.TryDecode(datagram, null, null, out var p, out var error))
        {
            rejected = error;
            return null;
        }
        if (p.Ipmi15 || p.Type != type) return null; // a late answer to an earlier step
        if (!decode(p.Payload, out var value))
        {
            rejected = $"{type} payload is malformed";
            return null;
        }
        return p.Payload[0] == tag ? value : null;
    }

    private async Task SendQuietlyAsync(Rakp3 refusal, CancellationToken ct)
    {
        try { await route.SendAsync(SessionPacket.EncodeUnauthenticated(PayloadType.Rakp3, refusal.Encode()), ct); }
        catch (SocketException) { } // a courtesy: the authentication error is what matters
    }

    private async Task<T> AskAsync<T>(string step, Func<int, byte[]> datagramFor, Func<byte[], T?> match, CancellationToken ct) where T : class
    {
        rejected = null;
        try
        {
            return await route.ExchangeAsync(datagramFor, match, ct);
        }
        catch (TimeoutException e)
        {
            throw ExchangeTimeoutException.Verdict(target.Name, step, e, rejected);
        }
        catch (SocketException e)
        {
            throw new BmcUnreachableException(target.Name, $"cannot send {step}: {e.Message}", e);
        }
    }
}
