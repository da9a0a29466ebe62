namespace Ingot.Commands;

/// <summary>The command cannot run as asked (no token, an unreadable file, a bad URL): the message says
/// what to do instead. Reported on stderr with exit code 2 and no stack trace.</summary>
internal sealed class UsageException(string message) : Exception(message)
{
    public const int ExitCode = 2;
}
