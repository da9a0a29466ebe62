namespace Ingot.Bmc;

/// <summary>How to reach one BMC. The password is held only in memory and never printed
/// (<see cref="ToString"/> leaves it out).</summary>
public sealed record BmcTarget(string Driver, string Host, int Port, string? Username, string? Password)
{
    /// <summary>IPMI cipher suite (3 or 17); null negotiates the strongest one the BMC offers.</summary>
    public int? CipherSuite { get; init; }

    /// <summary>IPMI privilege level the session may reach. Null asks for what the commands need: Operator, the most
    /// any command of Ingot's IPMI driver needs (power, boot device: IPMI 2.0 appendix G), or User for the reads of an
    /// account that has no more. Asking for Administrator by default locked operator accounts out of every BMC that
    /// holds an account to its rights (issue 11 E.6).</summary>
    public IpmiPrivilege? Privilege { get; init; }

    /// <summary>Redfish: accept a self-signed or otherwise unverifiable TLS certificate. Off by default; an
    /// explicit per-BMC choice, because it removes the protection against a man in the middle.</summary>
    public bool InsecureTls { get; init; }

    /// <summary>Redfish: "https" (default) or "http" (simulators, lab BMCs).</summary>
    public string Scheme { get; init; } = "https";

    /// <summary>The name used in errors and logs: driver://host:port.</summary>
    public string Name => $"{Driver}://{Host}:{Port}";

    public override string ToString() => $"{Name} (user {Username ?? "-"})";
}

public enum IpmiPrivilege : byte { Callback = 1, User = 2, Operator = 3, Administrator = 4 }
