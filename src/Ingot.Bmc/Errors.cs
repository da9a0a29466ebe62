namespace Ingot.Bmc;

/// <summary>Every BMC failure names the BMC and says whether trying again can help. Transient errors
/// (timeouts, unreachable, a garbled reply) may be retried with backoff; fatal ones (bad credentials,
/// an unsupported cipher suite or operation) must not be, because retrying cannot change the answer
/// and may lock the BMC account.</summary>
public abstract class BmcException(string bmc, string message, Exception? inner = null)
    : Exception($"{bmc}: {message}", inner)
{
    public string Bmc { get; } = bmc;
    public abstract bool IsTransient { get; }
}

/// <summary>No answer in time (after retransmissions), or the network refused.</summary>
public sealed class BmcUnreachableException(string bmc, string message, Exception? inner = null) : BmcException(bmc, message, inner)
{
    public override bool IsTransient => true;
}

/// <summary>Wrong user name or password, or a privilege level the user does not have. Never retried.</summary>
/// <param name="roleRefused">The BMC refused the privilege asked for, not the credentials (RMCP+ status 0x09 or 0x0A).</param>
public sealed class BmcAuthenticationException(string bmc, string message, bool roleRefused = false) : BmcException(bmc, message)
{
    public bool RoleRefused { get; } = roleRefused;
    public override bool IsTransient => false;
}

/// <summary>The BMC offers none of the cipher suites we can use (or not the one asked for).</summary>
public sealed class BmcCipherSuiteException(string bmc, string message) : BmcException(bmc, message)
{
    public override bool IsTransient => false;
}

/// <summary>The BMC answered a command with a non-zero completion code (IPMI) or an error status (Redfish).</summary>
public sealed class BmcCommandRejectedException(string bmc, string command, byte? completionCode, string meaning, bool transient = false)
    : BmcException(bmc, completionCode is { } cc ? $"{command} rejected with completion code 0x{cc:x2} ({meaning})" : $"{command} rejected: {meaning}")
{
    public byte? CompletionCode { get; } = completionCode;
    public override bool IsTransient { get; } = transient;
}

/// <summary>An answer we could not parse or whose integrity check failed.</summary>
public sealed class BmcMalformedReplyException(string bmc, string message) : BmcException(bmc, message)
{
    public override bool IsTransient => true;
}

/// <summary>The driver has no such capability (e.g. boot device through a driver that cannot set it).</summary>
public sealed class BmcUnsupportedException(string bmc, string message) : BmcException(bmc, message)
{
    public override bool IsTransient => false;
}
