using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ingot.Client;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Ingot.Server.Notifications;

/// <summary>What became of one attempt: taken (2xx, or the SMTP server's acceptance), or why not.</summary>
public sealed record DeliveryResult(bool Delivered, int? StatusCode, string? Error);

/// <summary>Sends one event to a subscription's target. The channel is told the subscription's webhook secret in clear.</summary>
public interface IDeliveryChannel
{
    Task<DeliveryResult> SendAsync(SubscriptionRow subscription, string? secret, EventRow e, CancellationToken ct);

    /// <summary>Whose health the breaker keeps: a URL's scheme, host and port; for e-mail, the SMTP server.</summary>
    string Endpoint(SubscriptionRow subscription);
}

/// <summary>The webhook's signature (docs/events.md): HMAC-SHA256, keyed with the subscription's secret, of
/// "{timestamp}.{body}", hex, as <c>Ingot-Signature: v1=…</c> with <c>Ingot-Timestamp</c> (Unix seconds). A receiver
/// recomputes it and refuses a mismatch, and a timestamp more than a few minutes old (a replay).</summary>
public static class WebhookSignature
{
    public static string Sign(string secret, long timestamp, string body) =>
        "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret),
            Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + "." + body)));
}

/// <summary>POSTs JSON to a URL: the event itself (webhook, signed) or a Slack-compatible <c>{"text": …}</c> (chat).
/// Redirects are not followed (a signed body is for the URL the subscriber gave); any 2xx is taken.</summary>
public sealed class HttpChannel(HttpClient http, bool chat, TimeProvider clock) : IDeliveryChannel
{
    /// <param name="allowed">Networks deliveries may reach though the guard would refuse them (<see cref="TargetGuard"/>).</param>
    public static HttpClient NewClient(IReadOnlyList<System.Net.IPNetwork> allowed) => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        ConnectCallback = TargetGuard.Connect(allowed),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        MaxConnectionsPerServer = 32,
    }) { Timeout = Timeout.InfiniteTimeSpan };

    public string Endpoint(SubscriptionRow subscription) =>
        Uri.TryCreate(subscription.Target, UriKind.Absolute, out var url) ? url.GetLeftPart(UriPartial.Authority) : subscription.Target;

    public async Task<DeliveryResult> SendAsync(SubscriptionRow subscription, string? secret, EventRow e, CancellationToken ct)
    {
        var body = chat ? JsonSerializer.Serialize(new { text = e.View().Summary }) : e.Json;
        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Target) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.UserAgent.ParseAdd("Ingot-Events/1");
        request.Headers.Add("Ingot-Event-Id", e.Id.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("Ingot-Event-Type", e.Type);
        if (!chat && secret is not null)
        {
            var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
            request.Headers.Add("Ingot-Timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
            request.Headers.Add("Ingot-Signature", WebhookSignature.Sign(secret, timestamp, body));
        }
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var status = (int)response.StatusCode;
            return response.IsSuccessStatusCode
                ? new DeliveryResult(true, status, null)
                : new DeliveryResult(false, status, $"{subscription.Target} answered {status} {response.ReasonPhrase}");
        }
        catch (HttpRequestException x)
        {
            return new DeliveryResult(false, null, $"{subscription.Target}: {x.Message}");
        }
    }
}

/// <summary>An e-mail per event through the configured SMTP server (MailKit): the summary as its subject, and a plain
/// and an HTML part with every field.</summary>
public sealed class EmailChannel(SmtpOptions smtp) : IDeliveryChannel
{
    public string Endpoint(SubscriptionRow subscription) => $"smtp://{smtp.Host}:{smtp.Port}";

    public async Task<DeliveryResult> SendAsync(SubscriptionRow subscription, string? secret, EventRow row, CancellationToken ct)
    {
        var e = row.View();
        var summary = EventText.Summary(e);
        var fields = EventText.Fields(e).ToList();
        var message = new MimeMessage { Subject = $"[Ingot] {summary}" };
        message.From.Add(MailboxAddress.Parse(smtp.From));
        message.To.Add(MailboxAddress.Parse(subscription.Target));
        message.Headers.Add("X-Ingot-Event-Id", e.Id.ToString(CultureInfo.InvariantCulture));
        message.Headers.Add("X-Ingot-Event-Type", e.Type);
        var plain = new StringBuilder(summary).Append("\n\n");
        foreach (var (name, value) in fields) plain.Append(name).Append(": ").Append(value).Append('\n');
        plain.Append($"\nYou get this from the subscription '{subscription.Name}' (id {subscription.Id}); ingot subscriptions delete {subscription.Id} stops it.\n");
        var html = new StringBuilder("<html><body><p>").Append(WebUtility.HtmlEncode(summary)).Append("</p><table>");
        foreach (var (name, value) in fields)
            html.Append("<tr><th align=\"left\">").Append(WebUtility.HtmlEncode(name)).Append("</th><td>").Append(WebUtility.HtmlEncode(value)).Append("</td></tr>");
        html.Append("</table><p><small>From the subscription '").Append(WebUtility.HtmlEncode(subscription.Name)).Append("' (id ")
            .Append(subscription.Id.ToString(CultureInfo.InvariantCulture)).Append(").</small></p></body></html>");
        message.Body = new BodyBuilder { TextBody = plain.ToString(), HtmlBody = html.ToString() }.ToMessageBody();
        try
        {
            using var client = new SmtpClient();
            await client.ConnectAsync(smtp.Host ?? throw new InvalidOperationException("no SMTP host"), smtp.Port, smtp.StartTls ? SecureSocketOptions.StartTlsWhenAvailable : SecureSocketOptions.None, ct);
            if (smtp.User is not null) await client.AuthenticateAsync(smtp.User, smtp.Password ?? "", ct);
            await client.SendAsync(message, ct);
            await client.DisconnectAsync(true, ct);
            return new DeliveryResult(true, 250, null);
        }
        catch (Exception x) when (x is SmtpCommandException or SmtpProtocolException or System.Net.Sockets.SocketException or IOException or AuthenticationException
                                      or SslHandshakeException)
        {
            return new DeliveryResult(false, x is SmtpCommandException command ? (int)command.StatusCode : null, $"{Endpoint(subscription)}: {x.Message}");
        }
    }
}
