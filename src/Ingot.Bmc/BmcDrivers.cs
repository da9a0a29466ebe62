using Ingot.Bmc.Ipmi;
using Ingot.Bmc.Redfish;

namespace Ingot.Bmc;

/// <summary>Options of every driver, so callers configure them in one place.</summary>
public sealed record BmcDriverOptions
{
    public RedfishOptions Redfish { get; init; } = RedfishOptions.Default;

    /// <summary>The UDP sockets that IPMI sessions share (its options set the IPMI timeouts). Shared by
    /// many BMCs rather than made per connection, because one socket per BMC would not scale; null uses
    /// <see cref="IpmiTransport.Shared"/>.</summary>
    public IpmiTransport? IpmiTransport { get; init; }
}

/// <summary>The one registration file (STYLE.md): driver names, as stored with a machine's BMC and typed on
/// the command line, mapped to the implementations. Callers test the result for capabilities with `is`.</summary>
public static class BmcDrivers
{
    public const string Redfish = "redfish";
    public const string Ipmi = "ipmi";
    /// <summary>Our simulator's BMCs: they speak real IPMI, so the IPMI client drives them.</summary>
    public const string Sim = "sim";

    public static IReadOnlyList<string> Names { get; } = [Ipmi, Redfish, Sim];

    /// <summary>A connection to <paramref name="target"/> through its driver. Nothing is sent yet: drivers
    /// connect on first use, and report failures then.</summary>
    /// <exception cref="BmcUnsupportedException">No driver has that name (or it is not built yet).</exception>
    public static IBmc Connect(BmcTarget target, BmcDriverOptions? options = null)
    {
        options ??= new BmcDriverOptions();
        return target.Driver switch
        {
            Redfish => new RedfishBmc(target, options.Redfish),
            Ipmi or Sim => new IpmiBmc(target, options.IpmiTransport ?? IpmiTransport.Shared),
            _ => throw new BmcUnsupportedException(target.Name, $"no BMC driver named '{target.Driver}' (known: {string.Join(", ", Names)})"),
        };
    }

    /// <summary>The port a driver uses when none is given: UDP 623 for IPMI, 443 or 80 for Redfish.</summary>
    public static int DefaultPort(string driver, string scheme) =>
        driver == Redfish ? (scheme == "http" ? 80 : 443) : 623;
}
