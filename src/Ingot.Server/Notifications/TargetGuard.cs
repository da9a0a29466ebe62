using System.Net;
using System.Net.Sockets;

namespace Ingot.Server.Notifications;

/// <summary>Who may make the server POST where: anyone signed in may subscribe a webhook or chat URL, so a delivery must
/// not become a way into what only the server reaches — its own loopback services, or the link-local metadata
/// addresses of a cloud host. Checked when the connection is made (after DNS, so a name that resolves there is refused
/// too), each address the name resolves to; networks an admin allows (INGOT_DELIVERY_ALLOW_NETWORKS) pass.</summary>
public static class TargetGuard
{
    private static readonly IPNetwork[] Denied =
    [
        IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("0.0.0.0/8"), IPNetwork.Parse("169.254.0.0/16"),
        IPNetwork.Parse("::1/128"), IPNetwork.Parse("::/128"), IPNetwork.Parse("fe80::/10"),
    ];

    /// <summary>Why a delivery may not connect to <paramref name="address"/>, or null.</summary>
    public static string? Refusal(IPAddress address, IReadOnlyList<IPNetwork> allowed)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (allowed.Any(n => n.Contains(address))) return null;
        var denied = Denied.Where(n => n.Contains(address)).ToList();
        return denied.Count > 0
            ? $"deliveries do not go to {address} (in {denied[0]}: loopback, link-local or unspecified addresses are the server's own); an admin may allow it with INGOT_DELIVERY_ALLOW_NETWORKS"
            : null;
    }

    /// <summary>A connection callback for SocketsHttpHandler that connects only to addresses <see cref="Refusal"/> lets through.</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> Connect(IReadOnlyList<IPNetwork> allowed) =>
        async (context, ct) =>
        {
            var addresses = IPAddress.TryParse(context.DnsEndPoint.Host, out var literal)
                ? [literal]
                : await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, ct);
            var refusals = addresses.Select(a => Refusal(a, allowed)).ToList();
            var usable = addresses.Where((_, i) => refusals[i] is null).ToArray();
            if (usable.Length == 0)
                throw new HttpRequestException(refusals.OfType<string>().FirstOrDefault() ?? $"{context.DnsEndPoint.Host} has no address");
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(usable, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
}
