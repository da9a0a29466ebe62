using System.Net;
using System.Text.RegularExpressions;

namespace Ingot.Server.Api;

/// <summary>Normalisation and validation of the names and addresses the inventory stores, so that the
/// same thing is always written the same way (and found by the same search).</summary>
public static partial class Names
{
    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex SlugPattern();

    [GeneratedRegex("^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")]
    private static partial Regex HostnamePattern();

    [GeneratedRegex("^[0-9a-f]{12}$")]
    private static partial Regex HexMac();

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NonAlphanumeric();

    /// <summary>Site, SKU, team, role and tag names: lower-case letters, digits and dashes.</summary>
    public static bool IsSlug(string name) => SlugPattern().IsMatch(name);

    public const string SlugRule = "use 1-63 lower-case letters, digits and dashes, not starting or ending with a dash";

    public static bool IsHostname(string name) => HostnamePattern().IsMatch(name);

    /// <summary>A MAC in any common spelling (aa:bb:.., AA-BB-.., aabb.ccdd.eeff, aabbccddeeff) as
    /// lower-case colon form; null when it is not a MAC.</summary>
    public static string? Mac(string? text)
    {
        if (text is null) return null;
        var hex = text.Trim().ToLowerInvariant().Replace(":", "").Replace("-", "").Replace(".", "");
        if (!HexMac().IsMatch(hex)) return null;
        return string.Join(':', Enumerable.Range(0, 6).Select(i => hex.Substring(i * 2, 2)));
    }

    /// <summary>Serials are compared without case or surrounding space: vendors print them both ways.</summary>
    public static string Serial(string serial) => serial.Trim().ToUpperInvariant();

    /// <summary>hardware_name: stable, derived from the serial, safe in DNS and URLs ("hw-" + slugged serial).</summary>
    public static string HardwareName(string serial)
    {
        var slug = NonAlphanumeric().Replace(serial.Trim().ToLowerInvariant(), "-").Trim('-');
        return "hw-" + (slug.Length == 0 ? "unknown" : slug);
    }

    public static bool IsIp(string text) => IPAddress.TryParse(text, out _);

    /// <summary>A BMC's address: an IPv4 address in dotted-quad form (IPAddress.TryParse also takes "10" or "0x0a.1"), an
    /// IPv6 address, or a DNS name.</summary>
    public static bool IsBmcAddress(string text) =>
        text.Contains(':') ? IPAddress.TryParse(text, out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
        : text.Split('.') is { Length: 4 } parts && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit)) ? parts.All(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) <= 255)
        : !text.Split('.').All(p => p.All(char.IsAsciiDigit)) && IsHostname(text.ToLowerInvariant());

    /// <summary>IPMI 2.0 keeps a user name in 16 bytes and a password in 20 (RAKP); longer ones can never log in.</summary>
    public const int IpmiUserBytes = 16, IpmiPasswordBytes = 20;

    public static bool IsSerial(string serial) => serial.Trim().Length is > 0 and <= 64 && serial.All(c => !char.IsControl(c));
}
