namespace Ingot.Commands.Boot;

/// <summary>What `ingot boot dnsmasq-config -o json` prints: the configuration and what went into it, so a
/// script can tell how many NICs it covers and where it was written without parsing the file.</summary>
/// <param name="File">The path written with --file; null when the configuration went to stdout only.</param>
internal sealed record DnsmasqConfigView(string Site, string BootstrapUrl, int Machines, int Nics, string? File, string Config);
